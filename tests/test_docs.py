"""The docs are built and checked: the Sphinx + MyST site builds with no warning (a missing page, a broken
cross-reference or a link to a missing file is a warning, and ``-W`` makes it an error), and every link and every
repository path in a command of README.md and docs/*.md exists. MyST does not check links that leave the docs tree,
and nothing checks the README or the paths inside code, so ``broken_references`` does."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FENCE = re.compile(r'^(```|~~~).*?^\1', re.DOTALL | re.MULTILINE)
LINK = re.compile(r'!?\[[^\]]*\]\((?P<target>[^)\s]+)(?:\s+"[^"]*")?\)')
CODE_SPAN = re.compile(r'`([^`\n]+)`')
# A repository file named in a command or a code span: tools/x.py, configs/.../y.py, tests/z.py, ... Output paths
# (results/, work_dirs/) and patterns (`{a,b}`, `<x>`, `*`) are not checked: they need not exist.
REPO_PATH = re.compile(r'(?<![\w./$-])((?:tools|configs|pinas|downstream|tests)/[\w./+-]*\.(?:py|sh))(?![\w{<*])')
HEADING = re.compile(r'^#{1,6}\s+(.+?)\s*#*\s*$', re.MULTILINE)


def markdown_files(root: Path = REPO) -> list[Path]:
    """README.md and every page of docs/ (not the built site)."""
    docs = root / 'docs'
    pages = sorted(p for p in docs.rglob('*.md') if '_build' not in p.relative_to(docs).parts)
    return [root / 'README.md'] + pages


def slug(heading: str) -> str:
    """The anchor GitHub and MyST (``myst_heading_anchors``) give a heading."""
    text = re.sub(r'[`*_]', '', heading).strip().lower()
    return re.sub(r'[^\w\- ]', '', text).replace(' ', '-')


def anchors(md: Path) -> set[str]:
    return {slug(h) for h in HEADING.findall(FENCE.sub('', md.read_text()))}


def broken_references(md: Path, root: Path = REPO) -> list[str]:
    """What ``md`` links or names that does not exist, one line each: relative links (resolved from ``md``'s folder,
    with their ``#anchor`` when the target is a markdown file) and repository paths in code (resolved from root)."""
    text = md.read_text()
    prose = FENCE.sub('', text)
    problems = []
    for m in LINK.finditer(CODE_SPAN.sub('', prose)):
        target = m['target']
        if re.match(r'[a-z][a-z0-9+.-]*:', target):  # https:, mailto:, ...
            continue
        path, _, anchor = target.partition('#')
        where = (md.parent / path).resolve() if path else md
        if not where.exists():
            problems.append(f'{md.name}: link to {target}: {where} does not exist')
        elif anchor and where.suffix == '.md' and anchor not in anchors(where):
            problems.append(f'{md.name}: link to {target}: {where.name} has no heading #{anchor}')
    code = [m.group(0) for m in FENCE.finditer(text)] + CODE_SPAN.findall(prose)
    for path in sorted({p for snippet in code for p in REPO_PATH.findall(snippet)}):
        if not (root / path).is_file():
            problems.append(f'{md.name}: names {path}, which does not exist')
    return problems


@pytest.mark.parametrize('md', markdown_files(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_link_and_named_file_exists(md):
    assert broken_references(md) == []


def test_the_checker_finds_broken_links_anchors_and_paths(tmp_path):
    (tmp_path / 'docs').mkdir()
    (tmp_path / 'tools').mkdir()
    (tmp_path / 'tools' / 'real.py').write_text('')
    (tmp_path / 'README.md').write_text('# Top\n\n## A section\n')
    page = tmp_path / 'docs' / 'page.md'
    page.write_text('# Page\n\n[ok](../README.md#a-section) [ok](../tools/real.py) [web](https://example.org)\n'
                    '[gone](../tools/gone.py) [bad anchor](../README.md#no-such-heading) ![img](missing.png)\n\n'
                    '`python tools/real.py` and `python tools/missing.py --out results/new.py`\n\n'
                    '```bash\nbash tools/absent.sh configs/x/{a,b}.py\n```\n')
    problems = broken_references(page, tmp_path)
    assert len(problems) == 5, problems
    for name in ('tools/gone.py', '#no-such-heading', 'missing.png', 'tools/missing.py', 'tools/absent.sh'):
        assert any(name in p for p in problems), (name, problems)
    assert broken_references(tmp_path / 'README.md', tmp_path) == []


def sphinx_build(src: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, '-m', 'sphinx', '-W', '--keep-going', '-n', '-q', '-b', 'html',
                           str(src), str(out)], capture_output=True, text=True, timeout=300)


def test_the_site_builds_without_a_warning(tmp_path):
    result = sphinx_build(REPO / 'docs', tmp_path / 'html')
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / 'html' / 'index.html').is_file()


def test_a_broken_link_or_missing_page_fails_the_build(tmp_path):
    src = tmp_path / 'docs'
    src.mkdir()
    shutil.copy(REPO / 'docs' / 'conf.py', src)
    (src / 'index.md').write_text('# Index\n\n```{toctree}\nno_such_page\n```\n\n[x](no_such_file.md)\n')
    result = sphinx_build(src, tmp_path / 'html')
    assert result.returncode != 0
    assert 'no_such_page' in result.stderr and 'no_such_file' in result.stderr, result.stderr
