"""Trims AlgoPerf baseline logs to the lines scoring reads: '--- Tuning run i/n ---' lines and
'Metrics:' lines, each eval dict reduced to the time, step and target-metric columns."""
import ast, os, re, sys
TRIAL = re.compile(r'(.*) --- Tuning run (\d+)/(\d+) ---')
METRICS = re.compile(r'(.*) Metrics: ({.*})')
METRIC = {'criteo1tb': 'loss', 'fastmri': 'ssim', 'imagenet_resnet': 'accuracy', 'imagenet_vit': 'accuracy',
          'librispeech_conformer': 'wer', 'librispeech_deepspeech': 'wer', 'ogbg': 'mean_average_precision', 'wmt': 'bleu'}
KEEP = ['score', 'accumulated_submission_time', 'total_duration', 'global_step']
def trim(src, dst, workload):
    m = METRIC[workload]
    keep = KEEP + [f'train/{m}', f'validation/{m}', f'test/{m}']
    out = []
    for line in open(src):
        if TRIAL.match(line):
            out.append(line)
        elif METRICS.match(line):
            prefix, body = METRICS.match(line).groups()
            d = ast.literal_eval(body)
            d['eval_results'] = [(s, {k: v for k, v in e.items() if k in keep}) for s, e in d['eval_results']]
            out.append(f'{prefix} Metrics: {d!r}\n')
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    open(dst, 'w').write(''.join(out))
def trim_logs(src, dst, workload):
    """Trims each study's .log of `workload` under external_tuning/baseline."""
    base = f'{src}/external_tuning/baseline'
    for study in sorted(os.listdir(base)):
        d = f'{base}/{study}/{workload}_jax'
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if f.endswith('.log'):
                trim(f'{d}/{f}', f'{dst}/{study}/{workload}_jax/{f}', workload)

def trim_trials(src, dst, workload):
    """Copies each trial's hparams.json whole and meta_data_0.json trimmed to rng_seed and the workload.* keys."""
    import json
    base = f'{src}/external_tuning/baseline'
    for study in sorted(os.listdir(base)):
        d = f'{base}/{study}/{workload}_jax'
        for trial in sorted(t for t in os.listdir(d) if t.startswith('trial_')):
            out = f'{dst}/{study}/{workload}_jax/{trial}'
            os.makedirs(out, exist_ok=True)
            open(f'{out}/hparams.json', 'w').write(open(f'{d}/{trial}/hparams.json').read())
            meta = json.load(open(f'{d}/{trial}/meta_data_0.json'))
            keep = {k: v for k, v in meta.items() if k == 'rng_seed' or k.startswith('workload.')}
            open(f'{out}/meta_data_0.json', 'w').write(json.dumps(keep, indent=2) + '\n')

if __name__ == '__main__':
    # python3 trim.py <algorithms/baselines/logs> Tests/Fixtures/algoperf/baseline_logs/baseline criteo1tb
    for workload in sys.argv[3:]:
        trim_logs(sys.argv[1], sys.argv[2], workload)
        trim_trials(sys.argv[1], sys.argv[2], workload)
