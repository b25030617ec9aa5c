"""review: an evidence-review manager for literature, transcripts and survey indicators."""

import os as _os

__version__ = "0.1.0"

# numpy's OpenBLAS starts a pool of threads at import that spin for a while: 0.1 s of CPU in
# a 1.4 s `review brief` (bench/brief.py). review counts and sorts with numpy and never does
# linear algebra with it, so one thread is all it could use. A user's own setting wins.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
