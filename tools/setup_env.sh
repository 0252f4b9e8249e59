#!/usr/bin/env bash
# Create .venv with the pinned pinas stack, every pin read from requirements/*.txt (runtime, build, tests, docs).
# Idempotent: re-running only installs what is missing.
#
#   bash tools/setup_env.sh            # CPU machine or GPU cluster
#   PINAS_VENV=/path/venv bash tools/setup_env.sh
#
# mmcv 2.1.0 has no wheel for torch 2.14, so it is built once from the PyPI sdist (patched for C++20,
# which torch 2.14's headers require) into a wheel cached under $PINAS_CACHE (default ~/.cache/pinas), by
# tools/mmcv_build.py: same sources and flags as `pip wheel`, compiled with a precompiled header for the torch
# headers and a unity build of the op wrappers (234 s of CPU instead of 1877 s: 3-5 minutes on 2 cores).
# The build is skipped when the environment already imports a working `mmcv.ops` (e.g. a CUDA build).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${PINAS_VENV:-$ROOT/.venv}"
CACHE="${PINAS_CACHE:-$HOME/.cache/pinas}"
# One file per purpose (pyproject.toml reads runtime.txt as the dependencies, tests.txt and docs.txt as extras);
# this script installs them all.
REQUIREMENT_FILES=("$ROOT"/requirements/{runtime,build,tests,docs}.txt)

step() { printf '\n[setup] %s\n' "$*"; }
die() { printf '\n[setup] ERROR: %s\n' "$*" >&2; exit 1; }
trap 'die "step failed at line $LINENO (see the output above)"' ERR

# Every pin is in requirements/*.txt. The packages installed their own way below (torch and torchvision first and as
# constraints, mmcv from a built wheel, mmdet, mmsegmentation and cityscapesscripts without dependency resolution)
# take their versions from their `NAME==VERSION` lines; every other line is installed with `pip install -r`.
for file in "${REQUIREMENT_FILES[@]}"; do [ -f "$file" ] || die "$file is missing"; done
SPECIAL='torch|torchvision|mmcv|mmdet|mmsegmentation|cityscapesscripts|pyquaternion'
pin() {
  local version
  version=$(cat "${REQUIREMENT_FILES[@]}" | sed -n -E "s/^$1==([^[:space:];#]+).*/\1/p" | head -n1)
  [ -n "$version" ] || die "requirements/*.txt have no '$1==VERSION' line"
  printf '%s' "$version"
}
TORCH_VERSION=$(pin torch)
TORCHVISION_VERSION=$(pin torchvision)
MMCV_VERSION=$(pin mmcv)
MMDET_VERSION=$(pin mmdet)
MMSEG_VERSION=$(pin mmsegmentation)
CITYSCAPES_VERSION=$(pin cityscapesscripts)
PYQUATERNION_VERSION=$(pin pyquaternion)

if [ ! -x "$VENV/bin/python" ]; then
  step "creating virtual environment $VENV"
  python3 -m venv "$VENV" || die "python3 -m venv failed: install python3-venv (Python >= 3.10)"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check)

# The same torch wheel is installed with or without a GPU. A CPU-only build would spare a machine without a GPU
# the ~3 GB of nvidia-* / triton wheels the default one depends on, but none exists for the pinned version on the
# registries reachable here: PyPI has only the default (CUDA 13.0) torch 2.14.1 and torchvision 0.29.1, no
# "+cpu" builds (its only +cpu torch is 2.13.0, with no matching torchvision), and PyTorch's own CPU index is
# not reachable. The CUDA build runs on the CPU as it is.
# Every later pip call is constrained to the pinned torch and torchvision: a requirement that admits an older torch
# (an older setuptools, say: torch 2.14.1 needs setuptools >= 77.0.3) must fail, not silently downgrade the stack.
CONSTRAINTS="$VENV/pinas-constraints.txt"
printf 'torch==%s\ntorchvision==%s\n' "$TORCH_VERSION" "$TORCHVISION_VERSION" > "$CONSTRAINTS"
PIPC=("${PIP[@]}" install -c "$CONSTRAINTS")
stack_is_pinned() { "$PY" -c "import torch, torchvision
assert torch.__version__.split('+')[0] == '$TORCH_VERSION' and torchvision.__version__.split('+')[0] == '$TORCHVISION_VERSION'" \
  >/dev/null 2>&1; }
if stack_is_pinned; then
  step "torch $TORCH_VERSION and torchvision $TORCHVISION_VERSION already installed"
else
  step "installing torch $TORCH_VERSION and torchvision $TORCHVISION_VERSION"
  "${PIPC[@]}" "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION"
fi

# A compiled mmcv is tied to the torch build it was compiled against: the wheel cache is keyed by the installed
# torch's full version (2.14.1+cu130, +cpu, ...).
TORCH_BUILD=$("$PY" -c "import torch; print(torch.__version__)")
MMCV_WHEEL_DIR="$CACHE/wheels/mmcv-${MMCV_VERSION}-torch${TORCH_BUILD}"

step "installing build helpers and pure-Python dependencies (requirements/*.txt)"
# The build helpers' pins are in requirements/ (setuptools >= 77.0.3 for torch 2.14.1, < 81 for pkg_resources);
# the packages installed their own way below are left out here.
REST="$VENV/pinas-requirements.txt"
cat "${REQUIREMENT_FILES[@]}" | grep -v -i -E "^($SPECIAL)[[:space:]]*([=<>!~;[]|$)" > "$REST"
"${PIPC[@]}" -q -r "$REST"

mmcv_ops_work() { "$PY" -c "import mmcv, torch; from mmcv.ops import nms; assert mmcv.__version__=='$MMCV_VERSION'; b=torch.tensor([[0.,0,1,1],[0,0,1,1]]); nms(b, torch.tensor([1.,.5]), .5)" >/dev/null 2>&1; }

if mmcv_ops_work; then
  step "mmcv $MMCV_VERSION with working ops already installed: skipping the build"
else
  wheel=$(ls "$MMCV_WHEEL_DIR"/mmcv-"$MMCV_VERSION"-*.whl 2>/dev/null | head -n1 || true)
  if [ -z "$wheel" ]; then
    step "building mmcv $MMCV_VERSION with ops from the sdist (3-5 minutes on 2 cores); cached in $MMCV_WHEEL_DIR"
    work=$(mktemp -d)
    "${PIP[@]}" download -q --no-deps --no-binary :all: --no-build-isolation "mmcv==$MMCV_VERSION" -d "$work" \
      || die "could not download the mmcv $MMCV_VERSION sdist from PyPI"
    tar -xzf "$work"/mmcv-"$MMCV_VERSION".tar.gz -C "$work"
    # Checks the sdist, patches -std=c++17 to c++20, builds with a precompiled header and a unity build of the
    # op wrappers (same ops, same package), and checks that gcc used the precompiled header.
    MAX_JOBS="${MAX_JOBS:-$(nproc)}" "$PY" "$ROOT/tools/mmcv_build.py" "$work/mmcv-$MMCV_VERSION" "$work/dist" \
      --log "$work/build.log" || die "building mmcv failed (a C++20 compiler such as gcc >= 10 is needed)"
    mkdir -p "$MMCV_WHEEL_DIR"
    mv "$work"/dist/mmcv-*.whl "$MMCV_WHEEL_DIR"/
    rm -rf "$work"
    wheel=$(ls "$MMCV_WHEEL_DIR"/mmcv-"$MMCV_VERSION"-*.whl | head -n1)
  else
    step "reusing cached mmcv wheel $wheel"
  fi
  "${PIPC[@]}" -q --no-deps --force-reinstall "$wheel"
  mmcv_ops_work || die "mmcv installed from $wheel but mmcv.ops does not work; delete $MMCV_WHEEL_DIR and re-run"
fi

step "installing mmdet and mmsegmentation (no dependency re-resolution, which would replace mmcv)"
"${PIPC[@]}" -q --no-deps "mmdet==$MMDET_VERSION" "mmsegmentation==$MMSEG_VERSION"

step "installing cityscapesscripts (label conversion; its declared deps include the obsolete 'typing' backport)"
"${PIPC[@]}" -q --no-deps "cityscapesscripts==$CITYSCAPES_VERSION" "pyquaternion==$PYQUATERNION_VERSION"

step "installing pinas in editable mode"
"${PIPC[@]}" -q --no-deps --no-build-isolation -e "$ROOT"

step "checking the stack (mmcv ops against torchvision's, and what mmdet and mmseg import from mmcv.ops)"
stack_is_pinned || die "torch/torchvision are not $TORCH_VERSION/$TORCHVISION_VERSION after the install: a dependency replaced them"
"$PY" - <<'PYEOF'
import torch, torchvision, timm, mmengine, mmcv, mmdet, mmseg
from mmcv.ops import RoIAlign, nms
boxes = torch.tensor([[0., 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]])
scores = torch.tensor([.9, .8, .7])
_, keep = nms(boxes, scores, 0.5)
assert keep.tolist() == torchvision.ops.nms(boxes, scores, 0.5).tolist() == [0, 2], keep
x = torch.arange(2 * 8 * 8, dtype=torch.float32).reshape(1, 2, 8, 8)
rois = torch.tensor([[0., 1.2, 0.5, 6.3, 7.1]])
got = RoIAlign((3, 3), 1.0, sampling_ratio=2, aligned=True)(x, rois)
want = torchvision.ops.roi_align(x, rois, (3, 3), 1.0, sampling_ratio=2, aligned=True)
assert torch.allclose(got, want, atol=1e-5), (got, want)
import mmdet.models, mmseg.models  # noqa: E401,F401  (these import the mmcv.ops they use)
print("mmcv.ops: nms and RoIAlign agree with torchvision; mmdet.models and mmseg.models import")
import pinas, downstream  # noqa: F401
print(f"torch {torch.__version__} torchvision {torchvision.__version__} timm {timm.__version__} "
      f"mmengine {mmengine.__version__} mmcv {mmcv.__version__} mmdet {mmdet.__version__} mmseg {mmseg.__version__}")
PYEOF
step "done: activate with 'source $VENV/bin/activate'"
