#!/usr/bin/env bash
# Create .venv with the pinned pinas stack. Idempotent: re-running only installs what is missing.
#
#   bash tools/setup_env.sh            # CPU machine or GPU cluster
#   PINAS_VENV=/path/venv bash tools/setup_env.sh
#
# mmcv 2.1.0 has no wheel for torch 2.14, so it is built once from the PyPI sdist (patched for C++20,
# which torch 2.14's headers require) into a wheel cached under $PINAS_CACHE (default ~/.cache/pinas).
# The build is skipped when the environment already imports a working `mmcv.ops` (e.g. a CUDA build).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${PINAS_VENV:-$ROOT/.venv}"
CACHE="${PINAS_CACHE:-$HOME/.cache/pinas}"
TORCH_VERSION=2.14.1
TORCHVISION_VERSION=0.29.1
MMCV_VERSION=2.1.0
MMCV_WHEEL_DIR="$CACHE/wheels/mmcv-${MMCV_VERSION}-torch${TORCH_VERSION}-cxx20"

step() { printf '\n[setup] %s\n' "$*"; }
die() { printf '\n[setup] ERROR: %s\n' "$*" >&2; exit 1; }
trap 'die "step failed at line $LINENO (see the output above)"' ERR

if [ ! -x "$VENV/bin/python" ]; then
  step "creating virtual environment $VENV"
  python3 -m venv "$VENV" || die "python3 -m venv failed: install python3-venv (Python >= 3.10)"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check)

# The torch wheels on some mirrors report another version internally, so a stamp records what was installed.
TORCH_STAMP="$VENV/.pinas-torch-$TORCH_VERSION-vision-$TORCHVISION_VERSION"
if [ -f "$TORCH_STAMP" ] && "$PY" -c "import torch, torchvision" >/dev/null 2>&1; then
  step "torch $TORCH_VERSION and torchvision $TORCHVISION_VERSION already installed"
else
  step "installing torch $TORCH_VERSION and torchvision $TORCHVISION_VERSION"
  "${PIP[@]}" install "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION"
  touch "$TORCH_STAMP"
fi

step "installing build helpers and pure-Python dependencies"
"${PIP[@]}" install -q "setuptools<70" wheel ninja -r "$ROOT/requirements.txt"

mmcv_ops_work() { "$PY" -c "import mmcv, torch; from mmcv.ops import nms; assert mmcv.__version__=='$MMCV_VERSION'; b=torch.tensor([[0.,0,1,1],[0,0,1,1]]); nms(b, torch.tensor([1.,.5]), .5)" >/dev/null 2>&1; }

if mmcv_ops_work; then
  step "mmcv $MMCV_VERSION with working ops already installed: skipping the build"
else
  wheel=$(ls "$MMCV_WHEEL_DIR"/mmcv-"$MMCV_VERSION"-*.whl 2>/dev/null | head -n1 || true)
  if [ -z "$wheel" ]; then
    step "building mmcv $MMCV_VERSION with ops from the sdist (about 8 minutes on 2 cores); cached in $MMCV_WHEEL_DIR"
    work=$(mktemp -d)
    "${PIP[@]}" download -q --no-deps --no-binary :all: --no-build-isolation "mmcv==$MMCV_VERSION" -d "$work" \
      || die "could not download the mmcv $MMCV_VERSION sdist from PyPI"
    tar -xzf "$work"/mmcv-"$MMCV_VERSION".tar.gz -C "$work"
    src="$work/mmcv-$MMCV_VERSION"
    grep -q "'-std=c++17'" "$src/setup.py" || die "mmcv setup.py no longer contains -std=c++17: the C++20 patch needs updating"
    sed -i "s/'-std=c++17'/'-std=c++20'/g" "$src/setup.py"
    mkdir -p "$MMCV_WHEEL_DIR"
    MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" "${PIP[@]}" wheel --no-build-isolation --no-deps "$src" -w "$work/dist" \
      || die "building mmcv failed (a C++20 compiler such as gcc >= 10 is needed)"
    mv "$work"/dist/mmcv-*.whl "$MMCV_WHEEL_DIR"/
    rm -rf "$work"
    wheel=$(ls "$MMCV_WHEEL_DIR"/mmcv-"$MMCV_VERSION"-*.whl | head -n1)
  else
    step "reusing cached mmcv wheel $wheel"
  fi
  "${PIP[@]}" install -q --no-deps --force-reinstall "$wheel"
  mmcv_ops_work || die "mmcv installed from $wheel but mmcv.ops does not work; delete $MMCV_WHEEL_DIR and re-run"
fi

step "installing mmdet and mmsegmentation (no dependency re-resolution, which would replace mmcv)"
"${PIP[@]}" install -q --no-deps "mmdet==3.3.0" "mmsegmentation==1.2.2"

step "installing cityscapesscripts (label conversion; its declared deps include the obsolete 'typing' backport)"
"${PIP[@]}" install -q --no-deps "cityscapesscripts==2.3.0" "pyquaternion==0.9.9"

step "installing pinas in editable mode"
"${PIP[@]}" install -q --no-deps --no-build-isolation -e "$ROOT"

step "checking the stack"
"$PY" - <<'PYEOF'
import torch, torchvision, timm, mmengine, mmcv, mmdet, mmseg
from mmcv.ops import RoIAlign, nms  # noqa: F401
import pinas, downstream  # noqa: F401
print(f"torch {torch.__version__} torchvision {torchvision.__version__} timm {timm.__version__} "
      f"mmengine {mmengine.__version__} mmcv {mmcv.__version__} mmdet {mmdet.__version__} mmseg {mmseg.__version__}")
PYEOF
step "done: activate with 'source $VENV/bin/activate'"
