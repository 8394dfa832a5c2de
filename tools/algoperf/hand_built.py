"""AlgoPerf's scores for the hand-built case of Tests/HarnessTests/Scoring/AlgoPerfRulesTests.swift."""
import numpy as np, pandas as pd, tempfile
import algoperf_env
from algoperf_env import performance_profile as pp
import score_submissions
HIT = {'criteo1tb_jax': ('validation/loss', 0.12, 0.2), 'ogbg_jax': ('validation/mean_average_precision', 0.3, 0.2)}
def trial(workload, study, number, evals):  # evals: (time, hit?)
    metric, hit, miss = HIT[workload]
    return {'workload': workload, 'study': f'study_{study}', 'trial': (f'trial_{number}', 'x'),
            'score': np.array([t for t, _ in evals], dtype=float), 'global_step': np.array([10 * (i + 1) for i in range(len(evals))]),
            metric: np.array([hit if h else miss for _, h in evals])}
C, O = 'criteo1tb_jax', 'ogbg_jax'
a = [trial(C, 0, 0, [(10, 0), (20, 0), (30, 1)]), trial(C, 0, 1, [(40, 1)]),
     trial(C, 1, 0, [(70, 1)]), trial(C, 1, 1, [(5, 0), (60, 1)])] + [trial(O, s, 0, [(100, 1)]) for s in range(3)]
b = [trial(C, s, 0, [(100, 1)]) for s in range(3)] + [trial(O, s, 0, [(350, 1)]) for s in range(3)]
c = [trial(C, s, 0, [(230, 1)]) for s in range(3)] + [trial(O, s, 0, [(400, 0)]) for s in range(3)]
subs = {k: pd.DataFrame(v) for k, v in {'a': a, 'b': b, 'c': c}.items()}
algoperf_env.present(['criteo1tb', 'ogbg'])
out = tempfile.mkdtemp()
perf = pp.compute_performance_profiles(subs, time_col='score', min_tau=1.0, max_tau=4.0, reference_submission_tag=None,
    num_points=100, scale='linear', verbosity=0, self_tuning_ruleset=False, strict=False, output_dir=out)
print(open(f'{out}/time_to_targets.csv').read())
print(score_submissions.compute_leaderboard_score(perf).to_string(float_format=lambda x: repr(float(x))))
