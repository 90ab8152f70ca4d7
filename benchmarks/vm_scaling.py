"""How well this machine runs two allocation-heavy numpy/pandas processes at once (the ceiling for 1 vs 2 Dask workers)."""

import time, multiprocessing as mp
def work(_):
    import numpy as np, pandas as pd
    t=time.time()
    for i in range(6):
        a = np.random.randint(0, 1000, 5_000_000)
        s = pd.Series(a.astype(str))
        s.factorize()
    return time.time()-t
if __name__=="__main__":
    t=time.time(); work(0); one=time.time()-t
    with mp.get_context("spawn").Pool(2) as p:
        t=time.time(); r=p.map(work,[0,1]); two=time.time()-t
    print("1 proc", round(one,2), "2 procs", round(two,2), r)
