#!/usr/bin/env python
"""Build the mmcv 2.1.0 wheel with compiled ops from its unpacked PyPI sdist, with ~8x less CPU than `pip wheel`.

Used by tools/setup_env.sh:

    python tools/mmcv_build.py SDIST_DIR WHEEL_DIR [--log FILE]

What gets built is what `pip wheel --no-build-isolation --no-deps SDIST_DIR` builds (same sources, same compiler
flags, same ops, same Python package), with one change to the sources and two to how they are compiled:

1. setup.py's `-std=c++17` becomes `-std=c++20`: torch 2.14's headers refuse anything older.
2. A precompiled header (PCH). Every op source parses torch/types.h first (through mmcv's
   pytorch_cpp_helper.hpp), and that is most of its compile time: 30.8 s of 35 s CPU for pytorch/nms.cpp.
   gcc parses it once into pinas_pch.h.gch and each translation unit (TU) gets `-include pinas_pch.h`,
   which loads the .gch instead (nms.cpp: 4.2 s). gcc only uses a .gch made with the TU's flags, so the .gch
   is compiled in the same ninja file with the same $cxx, cflags and $post_cflags that torch writes for the
   TUs; `-Winvalid-pch` would make gcc say so if it rejected it (the build is then correct, only slow), and
   a probe after the build checks with gcc -H that the .gch is used.
3. A unity build of the 55 thin dispatch wrappers in mmcv/ops/csrc/pytorch/: with the PCH, a TU of one still
   costs ~3.4 s CPU of fixed overhead, a TU of 10 of them 4.6 s. They are compiled 16 at a time.

Measured for mmcv 2.1.0 (gcc 12, 2 cores): all 77 objects of a PCH build had the same machine code as a plain
build's except pybind.cpp's (see PCH_SKIP); the unity objects define the same exported symbols as their
members. Full build CPU time (user+sys): 1877 s plain, 455 s with the PCH, 234 s with both.

Both are only applied to CPU-only builds (no .cu sources), the case measured; a CUDA build goes through
torch's build unchanged apart from the C++20 flag.
"""
import argparse
import glob
import inspect
import json
import os
import re
import subprocess
import sys

MMCV_VERSION = '2.1.0'
PCH_HEADER = 'pinas_pch.h'
# What every op source parses first (mmcv/ops/csrc/common/pytorch_cpp_helper.hpp starts with it).
PCH_CONTENT = '#include <torch/types.h>\n'
PCH_INFO = 'pinas_pch.json'
# pybind.cpp starts with torch/extension.h (torch's whole C++ frontend and pybind11). Pre-including torch/types.h
# ahead of it reorders its declarations, and gcc then makes other (equivalent) inlining choices: its object
# differed from the plain build's, while the other 76 objects had identical machine code. So sources that start
# with it are compiled exactly as before (pybind.cpp: 84 s CPU instead of 58).
PCH_SKIP = {'torch/extension.h'}
# mmcv/ops/csrc/pytorch/*.cpp are thin dispatch wrappers (~100 lines each, no file-local names); with the PCH,
# a TU of one still costs ~3.4 s CPU of fixed overhead (loading the .gch, emitting code and debug info for what
# every TU instantiates). They are compiled UNITY_GROUP at a time; the kernels in cpu/ and pybind.cpp stay alone.
UNITY_GROUP = 16
# A wrapper is only grouped if nothing in it can leak into the next file of its group or clash with it: no
# macro definitions or pragmas, no using-directives, no file-local (static / anonymous-namespace) names.
# Two grouped files defining the same name would stop the compile; for mmcv 2.1.0 no function name of the
# grouped files has two overloads (so no call can reach another function than in the plain build).
UNITY_UNSAFE = re.compile(r'^\s*#\s*(define|undef|pragma)|using\s+namespace|namespace\s*\{|^\s*static\s', re.MULTILINE)


def fail(msg):
    sys.exit(f'[mmcv_build] ERROR: {msg}')


def read(path):
    with open(path) as f:
        return f.read()


# --- checks and patch of the unpacked sdist (parent process) -------------------------------------------------

def op_sources(src):
    csrc = os.path.join(src, 'mmcv', 'ops', 'csrc', 'pytorch')
    return sorted(glob.glob(os.path.join(csrc, '*.cpp')) + glob.glob(os.path.join(csrc, 'cpu', '*.cpp')))


def check_sdist(src):
    """Fail clearly if the sdist no longer looks like the one this build step was written for."""
    setup_py = os.path.join(src, 'setup.py')
    if not os.path.isfile(setup_py):
        fail(f'{setup_py} not found: is {src} an unpacked mmcv sdist?')
    text = read(setup_py)
    expected = {
        "'-std=c++17'": 'the C++17 flag that is patched to C++20',
        'ext_modules=get_extensions()': 'the extension list',
        "glob.glob('./mmcv/ops/csrc/pytorch/*.cpp')": 'the op source list',
        'Compiling {ext_name} only with CPU': 'the CPU-only build branch',
    }
    for needle, what in expected.items():
        if needle not in text:
            fail(f'mmcv setup.py no longer contains {needle!r} ({what}): this build step '
                 f'(tools/mmcv_build.py) was written for mmcv {MMCV_VERSION} and needs updating')
    sources = op_sources(src)
    if len(sources) != 77:
        fail(f'expected the 77 op sources of mmcv {MMCV_VERSION} under mmcv/ops/csrc/pytorch, found {len(sources)}')
    # The PCH is pre-included ahead of each source's own text. That is only the same program if each source
    # includes the torch headers (through pytorch_cpp_helper.hpp) and has no preprocessor line other than
    # #include / #pragma once ahead of its first #include, and no code either (comments and blank lines are fine).
    for path in sources:
        body = read(path)
        if 'pytorch_cpp_helper.hpp' not in body:
            fail(f'{path} does not include pytorch_cpp_helper.hpp: the precompiled header would change it')
        head = body.split('#include', 1)[0]
        head = re.sub(r'//[^\n]*|/\*.*?\*/', '', head, flags=re.DOTALL)
        if head.strip() not in ('', '#pragma once'):
            fail(f'{path} has code or preprocessor lines before its first #include: '
                 f'the precompiled header would change it')
    return len(sources)


def patch_setup(src):
    setup_py = os.path.join(src, 'setup.py')
    text = read(setup_py)
    # torch 2.14's headers: "#error C++20 or later compatible compiler is required to use ATen".
    with open(setup_py, 'w') as f:
        f.write(text.replace("'-std=c++17'", "'-std=c++20'"))


def parent(args):
    src, out = os.path.abspath(args.sdist_dir), os.path.abspath(args.wheel_dir)
    n = check_sdist(src)
    patch_setup(src)
    os.makedirs(out, exist_ok=True)
    log_path = args.log or os.path.join(src, 'pinas-build.log')
    print(f'[mmcv_build] {n} op sources; full build log: {log_path}', flush=True)
    env = dict(os.environ, MMCV_WITH_OPS='1')
    env.setdefault('MAX_JOBS', str(os.cpu_count() or 2))
    cmd = [sys.executable, os.path.abspath(__file__), '--child', src, out]
    tail = []
    with open(log_path, 'w') as log:
        proc = subprocess.Popen(cmd, cwd=src, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            log.write(line)
            tail = (tail + [line])[-60:]
            # Show progress: ninja's "[k/N] ..." lines, shortened to the file being compiled, and our own lines.
            m = re.match(r'\[(\d+/\d+)\] .* -c (\S+)', line)
            if m:
                print(f'  [{m.group(1)}] {os.path.relpath(m.group(2), src)}', flush=True)
            elif line.startswith('[mmcv_build]') or 'not used because' in line:
                print(line.rstrip(), flush=True)
        rc = proc.wait()
    if rc != 0:
        sys.stderr.write(''.join(tail))
        fail(f'building mmcv failed (exit {rc}); the last lines are above, the full log is {log_path}')
    wheels = glob.glob(os.path.join(out, f'mmcv-{MMCV_VERSION}-*.whl'))
    if not wheels:
        fail(f'the build finished but left no mmcv wheel in {out}')
    print(f'[mmcv_build] built {wheels[0]}', flush=True)


# --- the build itself (child process, run inside the sdist) --------------------------------------------------

def install_pch_hook():
    """Wrap torch's ninja-file writer so the build also precompiles torch/types.h and uses it everywhere."""
    import torch.utils.cpp_extension as cpp_ext

    writer = getattr(cpp_ext, '_write_ninja_file', None)
    params = set(inspect.signature(writer).parameters) if writer else set()
    needed = {'path', 'cflags', 'post_cflags', 'sources', 'objects', 'with_cuda'}
    if not needed <= params:
        fail('torch.utils.cpp_extension._write_ninja_file is not what this build step expects '
             f'(torch {cpp_ext.torch.__version__}); tools/mmcv_build.py needs updating')
    signature = inspect.signature(writer)

    def write_ninja_file_with_pch(*args, **kwargs):
        call = signature.bind(*args, **kwargs)
        a = call.arguments
        if a['with_cuda'] or not a['sources']:
            return writer(*args, **kwargs)
        build_dir = os.path.dirname(os.path.abspath(a['path']))
        header = os.path.join(build_dir, PCH_HEADER)
        with open(header, 'w') as f:
            f.write(PCH_CONTENT)
        cflags, post_cflags = list(a['cflags'] or []), list(a['post_cflags'] or [])
        # Translation units: the unchanged flags plus the pre-include (which finds header + '.gch').
        a['cflags'] = cflags + ['-include', header, '-Winvalid-pch']
        writer(*call.args, **call.kwargs)
        with open(a['path']) as f:
            ninja = f.read()
        # The unchanged flags, for the .gch and for sources compiled without it (defined ahead of the edges).
        ninja, n = re.subn(r'^post_cflags = .*$', lambda m: f'{m.group(0)}\npinas_plain_cflags = {" ".join(cflags)}',
                           ninja, count=1, flags=re.MULTILINE)

        def edit_edge(m):
            if first_include(m.group(1)) in PCH_SKIP:
                return f'{m.group(0)}\n  cflags = $pinas_plain_cflags'
            return f'{m.group(0)} | {header}.gch'  # waits for the .gch (and would be rebuilt if it changed)

        ninja, edges = re.subn(r'^build \S+: compile (\S+)$', edit_edge, ninja, flags=re.MULTILINE)
        if n != 1 or edges != len(a['sources']):
            fail(f'found {edges} compile edges in {a["path"]} for {len(a["sources"])} sources: '
                 'torch writes its ninja file differently; tools/mmcv_build.py needs updating')
        # The .gch: the compile rule's command with the same $cxx, the original cflags and the same $post_cflags.
        ninja += (
            '\nrule pinas_pch\n'
            '  command = $cxx -x c++-header $pinas_plain_cflags -c $in -o $out $post_cflags\n'
            f'build {header}.gch: pinas_pch {header}\n'
        )
        with open(a['path'], 'w') as f:
            f.write(ninja)
        with open(os.path.join(build_dir, PCH_INFO), 'w') as f:
            json.dump({'cxx': cpp_ext.get_cxx_compiler(), 'cflags': a['cflags'], 'post_cflags': post_cflags,
                       'header': header}, f)
        print(f'[mmcv_build] precompiled header {header}.gch used by {ninja.count(header + ".gch") - 1} of {edges} '
              'compile steps', flush=True)

    cpp_ext._write_ninja_file = write_ninja_file_with_pch


def first_include(path):
    m = re.search(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', read(path), re.MULTILINE)
    return m.group(1) if m else None


def unity_sources(sources, build_dir):
    """Replace the groupable wrapper sources by a few files that #include them, UNITY_GROUP at a time."""
    grouped, alone = [], []
    for path in sources:
        full = os.path.abspath(path)
        is_wrapper = os.path.basename(os.path.dirname(full)) == 'pytorch' and full.endswith('.cpp')
        if is_wrapper and os.path.basename(full) != 'pybind.cpp' and not UNITY_UNSAFE.search(read(full)):
            grouped.append(full)
        else:
            alone.append(path)
    grouped.sort()  # the same groups on every machine (setup.py's glob order is the file system's)
    n_groups = -(-len(grouped) // UNITY_GROUP)
    units = []
    for g in range(n_groups):
        members = grouped[g::n_groups]  # round-robin: groups of equal size
        unit = os.path.join(build_dir, f'pinas_unity_{g}.cpp')
        with open(unit, 'w') as f:
            f.write(f'// Generated by pinas tools/mmcv_build.py: {len(members)} mmcv op wrappers in one TU.\n')
            f.writelines(f'#include "{m}"\n' for m in members)
        units.append(unit)
    print(f'[mmcv_build] unity build: {len(grouped)} wrapper sources in {len(units)} translation units, '
          f'{len(alone)} sources alone', flush=True)
    return units + alone


def install_unity_hook():
    """Wrap torch's BuildExtension so a CPU-only extension's wrapper sources are compiled in a few unity files."""
    from torch.utils.cpp_extension import BuildExtension

    original = BuildExtension.build_extensions

    def build_extensions(self):
        build_dir = os.path.abspath(self.build_temp)
        os.makedirs(build_dir, exist_ok=True)
        for ext in self.extensions:
            if not any(s.endswith('.cu') for s in ext.sources):
                ext.sources = unity_sources(ext.sources, build_dir)
        original(self)

    BuildExtension.build_extensions = build_extensions


def check_pch_used(src):
    """Compile an empty file with the translation units' flags and gcc's -H: '! FILE.gch' means the PCH is used."""
    infos = glob.glob(os.path.join(src, 'build', '*', PCH_INFO))
    if not infos:
        print('[mmcv_build] WARNING: no precompiled header was set up (CUDA build?)', flush=True)
        return
    info = json.loads(read(infos[0]))
    cmd = ([info['cxx']] + info['cflags'] + ['-Werror=invalid-pch', '-H', '-fsyntax-only', '-x', 'c++', os.devnull]
           + info['post_cflags'])
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode == 0 and f'! {info["header"]}.gch' in res.stderr:
        print(f'[mmcv_build] precompiled header check: {info["header"]}.gch is used by gcc with the '
              'translation units\' flags', flush=True)
    else:
        reason = [ln for ln in res.stderr.splitlines() if 'gch' in ln][:3]
        print('[mmcv_build] WARNING: gcc did not use the precompiled header (the wheel is correct, the build '
              f'was only slower): {reason}', flush=True)


def child(src, out):
    install_pch_hook()
    install_unity_hook()
    sys.path.insert(0, src)
    from setuptools import build_meta
    # What `pip wheel --no-build-isolation` runs for a project without pyproject.toml: the legacy backend.
    build_meta.__legacy__.build_wheel(out)
    check_pch_used(src)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('sdist_dir')
    ap.add_argument('wheel_dir')
    ap.add_argument('--log', help='where the full build output goes (default: SDIST_DIR/pinas-build.log)')
    ap.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(os.path.abspath(args.sdist_dir), os.path.abspath(args.wheel_dir))
    else:
        parent(args)


if __name__ == '__main__':
    main()
