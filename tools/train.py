"""Train a detector (mmdet) or segmentor (mmseg) config with a Pi-NAS backbone.

    python tools/train.py configs/mask_rcnn/mask-rcnn_pinas-resnest50d_fpn_syncbn-backbone+head_ms-1x_coco.py \
        --cfg-options model.backbone.arch=3333113330011021 model.backbone.init_cfg.checkpoint=pinas.pth
    bash tools/dist_train.sh CONFIG 8 [--resume] [--amp]

OpenMMLab's interface: --work-dir, --resume [CKPT], --amp, --auto-scale-lr, --cfg-options, --launcher.
The logic lives in downstream.apis; a usage error is one line on stderr and exit status 2.
"""

from downstream.apis import train_main
from pinas.utils.cli import cli_main
from pinas.utils.dist import exit_after


@cli_main()
def main(argv=None) -> int:
    train_main(argv)
    return 0


if __name__ == '__main__':
    exit_after(main)
