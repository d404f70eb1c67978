"""The sources of the documentation site (make docs, hacking/docs.sh) agree with the guides: every guide of docs/*.md
has its page in docs/docsite/rst/ (its label, its title) and its place in docs/docsite/extra-docs.yml, and nothing
there stands for a guide that does not exist."""

import glob
import os

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GUIDES = sorted(os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(ROOT, 'docs', '*.md')))
PAGES = sorted(os.path.splitext(os.path.basename(p))[0]
               for p in glob.glob(os.path.join(ROOT, 'docs', 'docsite', 'rst', '*.rst')))


def title(name):
    with open(os.path.join(ROOT, 'docs', name + '.md')) as handle:
        first = handle.readline()
    assert first.startswith('# '), 'docs/%s.md does not start with its title (# ...)' % name
    return first[2:].strip()


def test_every_guide_has_its_page_and_every_page_its_guide():
    assert PAGES == GUIDES


def test_every_page_has_the_label_and_title_of_its_guide():
    for name in PAGES:
        with open(os.path.join(ROOT, 'docs', 'docsite', 'rst', name + '.rst')) as handle:
            lines = handle.read().splitlines()
        # hacking/docs.sh reads the label from the first line
        assert lines[0] == '.. _ansible_collections.appnet.skupper.docsite.%s:' % name.replace('-', '_'), name
        assert lines[2] == title(name) and lines[3] == '=' * len(title(name)), name


def test_extra_docs_lists_every_page_once():
    with open(os.path.join(ROOT, 'docs', 'docsite', 'extra-docs.yml')) as handle:
        sections = yaml.safe_load(handle)['sections']
    listed = [ref for section in sections for ref in section['toctree']]
    assert sorted(listed) == PAGES
