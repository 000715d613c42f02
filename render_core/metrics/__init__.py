"""Weight-free quality metrics for benchmarks and training reports.

- `image`: PSNR, SSIM (numpy); `image_torch`: differentiable batched twins for training.
- `flow`: OpenCV DIS optical flow, backward warp, forward-backward occlusion mask.
- `temporal`: E_warp (Lai et al. 2018) and tOF (TecoGAN), streaming.
- `landmarks`: distance between intended and re-tracked landmarks / joints.
- `report`: one streaming pass over (generated, real) frames -> a JSON-ready dict.

Nothing here imports torch except `image_torch`, so numpy-only users stay light.
"""
