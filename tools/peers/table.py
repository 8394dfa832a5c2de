"""The README's speed table from interleave.sh's output folder: per step and thread
count, min / median over the rounds of OptBench's `perf` figure and of each peer's
minimum of its calls. Usage: python3 tools/peers/table.py OUT"""
import re,sys,statistics,collections
O=sys.argv[1]
ob=collections.defaultdict(list)  # (variant, threads, model, mode) -> [ms]
cur=None
for l in open(f'{O}/optbench.txt'):
    m=re.match(r'### round \d+ threads (\d) (\S+)',l)
    if m: cur=(m.group(2),int(m.group(1))); continue
    p=l.split()
    if cur and len(p)>=5 and p[0] in ('cnn','transformer','tsp') and p[1].isdigit():
        ob[(cur[0],cur[1],p[0],'train')].append(float(p[3])); ob[(cur[0],cur[1],p[0],'forward')].append(float(p[4]))
pe=collections.defaultdict(list)
for l in open(f'{O}/peers.txt'):
    _,fw,m,mode,t,mn,md,_p=l.split(); pe[(fw,int(t),m,mode)].append(float(mn))
def mm(v): return f"{min(v):.2f} / {statistics.median(v):.2f}" if v else "—"
names={'torch_eager':'eager','torch_channels_last':'channels_last','torch_compiled':'compiled'}
print("| step | threads | OptBench (environment's kernels) | OptBench (own kernel choice) | best PyTorch | JAX | own choice ÷ best peer (min) | rounds |")
print("|---|---|---|---|---|---|---|---|")
for m,label in (('cnn','cnn training, batch 128'),('transformer','transformer training, 16 × 64'),('tsp','tsp training, 32 × 20 rollouts')):
  for mode in ('train','forward'):
    for t in (1,2):
        a=ob[('optbench-env-kernels',t,m,mode)]; b=ob[('optbench-own-choice',t,m,mode)]
        torch=[(fw,pe[(fw,t,m,mode)]) for fw in names if pe[(fw,t,m,mode)]]
        bt=min(torch,key=lambda x:min(x[1])) if torch else None
        j=pe[('jax',t,m,mode)]
        best=min([min(x[1]) for x in torch]+([min(j)] if j else []))
        lab=label if mode=='train' else label.replace('training','forward')
        print(f"| {lab} | {t} | {mm(a)} | {mm(b)} | {mm(bt[1])} ({names[bt[0]]}) | {mm(j)} | {min(b)/best:.2f} | {len(b)} |")
