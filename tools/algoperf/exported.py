"""AlgoPerf's scoring on a folder written by `optbench export algoperf`: its own CSV reader
(scoring_utils.get_experiment_df) for each submission folder, then the profile and score as
score_submissions.py computes them. Usage: python exported.py DIR/<ruleset>"""
import os, sys, tempfile
import pandas as pd
import algoperf_env
from algoperf_env import performance_profile as pp, scoring_utils
import score_submissions
root = sys.argv[1]
subs = {s: scoring_utils.get_experiment_df(os.path.join(root, s)) for s in sorted(os.listdir(root))}
algoperf_env.present(sorted({w.rsplit('_', 1)[0] for df in subs.values() for w in df['workload']}))
out = tempfile.mkdtemp()
perf = pp.compute_performance_profiles(subs, time_col='score', min_tau=1.0, max_tau=4.0, reference_submission_tag=None,
    num_points=100, scale='linear', verbosity=0, self_tuning_ruleset=False, strict=False, output_dir=out)
print(pd.read_csv(f'{out}/time_to_targets.csv').to_string(float_format=lambda x: repr(float(x))))
print(score_submissions.compute_leaderboard_score(perf).to_string(float_format=lambda x: repr(float(x))))
