# Sphinx configuration of the collection's documentation site (make docs; hacking/docs.sh). It follows the one that
# `antsibull-docs sphinx-init` writes, with two changes: intersphinx reads the Ansible documentation's labels from a
# local inventory (hacking/docsite/ansible_devel.txt, compressed by hacking/docs.sh next to the sources: the build reads
# nothing from the network), and myst-parser reads the guides of docs/*.md.
# pylint: disable=invalid-name

project = 'appnet.skupper'
copyright = 'appnet.skupper contributors'  # pylint: disable=redefined-builtin

title = 'appnet.skupper collection documentation'
html_short_title = 'appnet.skupper'

extensions = ['sphinx.ext.intersphinx', 'sphinx_antsibull_ext', 'myst_parser']

# (name: (base URL, inventory)); a relative inventory path is relative to the source folder.
intersphinx_mapping = {
    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '../ansible_devel.inv'),
}

# The plugin pages of antsibull-docs are reStructuredText, the guides Markdown.
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
# Markdown headings get anchors, so that a guide's link to a section of another guide (page.md#section) resolves.
myst_heading_anchors = 4

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

default_role = 'any'
nitpicky = True
