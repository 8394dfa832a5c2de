"""Loads AlgoPerf's scoring modules (mlcommons/algorithmic-efficiency at 2c90454, unpacked in ./src) without
its training stack: jax and torch are stubbed (algoperf/spec.py imports them; scoring never calls them), and
the workload lookup, which imports each workload's jax module, is replaced by the v0.6 numbers read from
algoperf/workloads/*/workload.py (metric name and validation_target_value)."""
import sys, types, os
for name in ['jax', 'torch', 'torch.nn', 'torch.nn.functional']:
    sys.modules[name] = types.ModuleType(name)
sys.modules['torch'].nn = sys.modules['torch.nn']
sys.modules['torch.nn'].functional = sys.modules['torch.nn.functional']
sys.modules['torch.nn'].Module = object
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [f'{HERE}/src', f'{HERE}/src/scoring']
import scoring_utils, performance_profile
TARGETS = {  # algoperf/workloads/<w>/workload.py at 2c90454
    'criteo1tb': ('validation/loss', 0.123735), 'fastmri': ('validation/ssim', 0.723653),
    'imagenet_resnet': ('validation/accuracy', 1 - 0.22569), 'imagenet_vit': ('validation/accuracy', 1 - 0.22691),
    'librispeech_conformer': ('validation/wer', 0.085884), 'librispeech_deepspeech': ('validation/wer', 0.119936),
    'ogbg': ('validation/mean_average_precision', 0.28098), 'wmt': ('validation/bleu', 30.8491)}
def targets(workload, split='validation'):
    import re
    return TARGETS[re.match(scoring_utils.WORKLOAD_NAME_PATTERN, workload).group(1)]
scoring_utils.get_workload_metrics_and_targets = targets
import scoring.scoring_utils
scoring.scoring_utils.get_workload_metrics_and_targets = targets
def present(names):
    """AlgoPerf raises KeyError when a base workload is absent from every submission: restrict BASE_WORKLOADS to those present."""
    performance_profile.BASE_WORKLOADS = [w for w in performance_profile.BASE_WORKLOADS if w in names]
