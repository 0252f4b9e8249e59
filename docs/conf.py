"""Sphinx configuration of the pinas documentation (Sphinx + MyST, as OpenMMLab's projects build theirs).

Built strictly, a warning is an error: ``make docs``, or ``tests/test_docs.py`` inside the test suite.
"""
import re

project = 'pinas'
author = 'pinas contributors'
extensions = ['myst_parser']
source_suffix = {'.md': 'markdown'}
root_doc = 'index'
# gpu_check.md is the table tools/analysis_tools/gpu_check.py writes on a GPU machine, committed as it comes.
exclude_patterns = ['_build', 'gpu_check.md']
html_theme = 'alabaster'
# `[text](page.md#a-heading)` resolves to the heading's slug, as on GitHub.
myst_heading_anchors = 3

# The pages link repository files outside docs/ (`../configs/...`, `../results/.../study.md`) so that they also work
# when read on GitHub. MyST links other files as downloads, but would take a linked `.md` file for a page of this site;
# the `path:` scheme makes such a link one to the file itself. tests/test_docs.py checks that each linked file exists.
_OUTSIDE = re.compile(r'\]\((\.\./[^)\s#]+\.md)\)')


def _link_repository_files(app, docname, source):
    source[0] = _OUTSIDE.sub(lambda m: f'](path:{m[1]}', source[0])


def setup(app):
    app.connect('source-read', _link_repository_files)
