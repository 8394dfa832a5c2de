"""AlgoPerf's scores for Tests/Fixtures/algoperf/baseline_logs (see AlgoPerfImportTests.swift).

AlgoPerf's scoring reads eval_measurements.csv, which the published baseline logs do not include (*.csv is
ignored in its repository); their measurements are the Metrics lines of the .log files, which AlgoPerf's own
scoring_utils.get_trials_df_dict parses. This builds from them the table score_submissions.py builds from
the CSVs (one row per trial: workload, study, trial, a column of arrays per measurement) and runs
compute_performance_profiles and compute_leaderboard_score as score_submissions.py calls them.
Usage: python baseline_logs.py <fixture folder of submission folders>"""
import os, sys, tempfile
import numpy as np, pandas as pd
import algoperf_env
from algoperf_env import performance_profile as pp, scoring_utils
import score_submissions

root = sys.argv[1]
submissions, workloads = {}, set()
for submission in sorted(os.listdir(root)):
    rows = []
    for study in sorted(os.listdir(f'{root}/{submission}')):
        for workload in sorted(os.listdir(f'{root}/{submission}/{study}')):
            folder = f'{root}/{submission}/{study}/{workload}'
            workloads.add(workload.rsplit('_', 1)[0])
            for log in sorted(f for f in os.listdir(folder) if f.endswith('.log')):
                for trial, df in scoring_utils.get_trials_df_dict(f'{folder}/{log}').items():
                    row = {'workload': workload, 'trial': (f'trial_{trial}', root), 'study': study}
                    row.update({c: df[c].to_numpy() for c in df.columns})
                    rows.append(row)
    submissions[submission] = pd.DataFrame(rows)
algoperf_env.present(sorted(workloads))
out = tempfile.mkdtemp()
perf = pp.compute_performance_profiles(submissions, time_col='score', min_tau=1.0, max_tau=4.0, reference_submission_tag=None,
    num_points=100, scale='linear', verbosity=0, self_tuning_ruleset=False, strict=False, output_dir=out)
with pd.option_context('display.precision', 17):
    print(pd.read_csv(f'{out}/time_to_targets.csv').to_string(float_format=lambda x: repr(float(x))))
print(score_submissions.compute_leaderboard_score(perf).to_string(float_format=lambda x: repr(float(x))))
# Per study, for the test: the time each study contributes.
for submission, df in submissions.items():
    for (workload, study), group in df.groupby(['workload', 'study']):
        metric, target = scoring_utils.get_workload_metrics_and_targets(workload)
        trial, index = pp.get_best_trial_index(group, metric, target)
        print(submission, workload, study, 'best', group['trial'].loc[trial][0] if index > -1 else None, 'index', index,
              'time', repr(float(group['score'].loc[trial][index])) if index > -1 else 'inf')
