"""The collection's documentation site, as `make docs` builds it (hacking/docs.sh): antsibull-docs lints the
documentation of every plugin and role and the extra docs, then antsibull-docs and sphinx build the site with warnings
as errors and nothing read from the network. The site is built once into a temporary folder; a headless browser
(Debian's chromium) opens the module index and the collection's page, and the links they show are checked against
the collection: every module, filter, role (with its argument spec) and guide.
"""

import glob
import html.parser
import os
import shutil
import subprocess
import sys
import urllib.parse

import pytest
import yaml

from tests.support.playbook import COLLECTIONS, ROOT
from tests.support.real_router import in_ci

BIN = os.path.dirname(sys.executable)
COLLECTION_PAGES = os.path.join('collections', 'appnet', 'skupper')


def names(pattern):
    return sorted(os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(ROOT, pattern))
                  if not os.path.basename(p).startswith('__'))


MODULES = names('plugins/modules/*.py')
FILTERS = names('plugins/filter/*.py')
ROLES = sorted(os.listdir(os.path.join(ROOT, 'roles')))
GUIDES = names('docs/*.md')


class Links(html.parser.HTMLParser):
    """The targets of a page's links (<a href>) and images (<img src>), as written."""

    def __init__(self):
        super().__init__()
        self.hrefs = []
        self.images = []
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get('id'):
            self.ids.add(attrs['id'])
        if tag == 'a' and attrs.get('href'):
            self.hrefs.append(attrs['href'])
        if tag == 'img' and attrs.get('src'):
            self.images.append(attrs['src'])


def parse(text):
    links = Links()
    links.feed(text)
    return links


def local_targets(page, hrefs):
    """{href: the file it names} for the links of page to other files of the site: not to the web, not within page,
    not to the root of the web server (the theme's logo links to /)."""
    targets = {}
    for href in hrefs:
        parts = urllib.parse.urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path or parts.path.startswith('/'):
            continue
        targets[href] = os.path.normpath(os.path.join(os.path.dirname(page), urllib.parse.unquote(parts.path)))
    return targets


@pytest.fixture(scope='module')
def site(tmp_path_factory):
    """The HTML folder of the site; the build's output (lint, antsibull-docs, sphinx) must be its last line only."""
    out = tmp_path_factory.mktemp('docs')
    env = dict(os.environ, DOCS_OUT=str(out), VENV=os.path.dirname(BIN), ANSIBLE_COLLECTIONS_PATH=COLLECTIONS,
               PATH=BIN + os.pathsep + os.environ.get('PATH', ''))
    result = subprocess.run(['bash', os.path.join(ROOT, 'hacking', 'docs.sh')], env=env, cwd=ROOT,
                            capture_output=True, text=True, check=False)
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, output[-6000:]
    assert output == 'docs: %s' % os.path.join(str(out), 'html', 'index.html'), output[-6000:]
    return os.path.join(str(out), 'html')


@pytest.fixture(scope='module')
def browser(tmp_path_factory):
    """dom(page): the DOM of a page of the site as headless chromium shows it (its scripts run)."""
    chromium = shutil.which('chromium')
    if not chromium:
        reason = 'needs chromium (Debian package chromium: make deps) to open the documentation site'
        if in_ci():
            pytest.fail('CI=true: ' + reason, pytrace=False)
        pytest.skip(reason)
    profile = str(tmp_path_factory.mktemp('chromium-profile'))

    def dom(path):
        assert os.path.isfile(path), path
        result = subprocess.run([chromium, '--headless', '--no-sandbox', '--user-data-dir=' + profile, '--dump-dom',
                                 'file://' + path], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                check=False)
        assert result.returncode == 0 and '</html>' in result.stdout, result.stderr[-3000:]
        return result.stdout

    return dom


def test_module_index_in_a_browser_lists_every_module(site, browser):
    page = os.path.join(site, 'collections', 'index_module.html')
    links = parse(browser(page))
    targets = local_targets(page, links.hrefs)
    listed = {os.path.basename(t)[:-len('_module.html')]: t for t in targets.values() if t.endswith('_module.html')}
    assert sorted(listed) == MODULES
    for target in listed.values():
        assert os.path.isfile(target), target


def test_collection_page_in_a_browser_lists_modules_filters_roles_and_guides(site, browser):
    page = os.path.join(site, COLLECTION_PAGES, 'index.html')
    links = parse(browser(page))
    targets = set(local_targets(page, links.hrefs).values())
    pages = os.path.join(site, COLLECTION_PAGES)
    wanted = ([os.path.join(pages, m + '_module.html') for m in MODULES]
              + [os.path.join(pages, f + '_filter.html') for f in FILTERS]
              + [os.path.join(pages, r + '_role.html') for r in ROLES]
              + [os.path.join(pages, 'docsite', g + '.html') for g in GUIDES])
    assert sorted(set(wanted) - targets) == []
    for target in wanted:
        assert os.path.isfile(target), target


def test_every_role_page_documents_every_variable_of_its_argument_spec(site):
    for role in ROLES:
        with open(os.path.join(ROOT, 'roles', role, 'meta', 'argument_specs.yml')) as handle:
            spec = yaml.safe_load(handle)['argument_specs']['main']
        with open(os.path.join(site, COLLECTION_PAGES, role + '_role.html')) as handle:
            ids = parse(handle.read()).ids
        assert spec['options'], role
        for option in spec['options']:
            assert 'parameter-main--' + option in ids, (role, option)


def test_every_guide_is_on_the_site_with_its_links_and_images(site):
    for guide in GUIDES:
        page = os.path.join(site, COLLECTION_PAGES, 'docsite', guide + '.html')
        with open(page) as handle:
            links = parse(handle.read())
        with open(os.path.join(ROOT, 'docs', guide + '.md')) as handle:
            heading = handle.readline()[2:].strip()
        with open(page) as handle:
            assert html.escape(heading, quote=False) in handle.read(), (guide, heading)
        for href, target in local_targets(page, links.hrefs + links.images).items():
            assert os.path.isfile(target), (guide, href)
    # a guide's link to another guide is a link to that guide's page
    page = os.path.join(site, COLLECTION_PAGES, 'docsite', 'user-guide.html')
    with open(page) as handle:
        assert 'inventory.html' in parse(handle.read()).hrefs
