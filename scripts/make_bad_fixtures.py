#!/usr/bin/env python3
"""Writes tests/fixtures/{small_ok,bad_*}.npz from tests/fixtures/refsynth.npz (numpy only)."""
import os
import numpy as np

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures")
d = dict(np.load(os.path.join(here, "refsynth.npz")))
n = 5
small = {k: (v[:n] if getattr(v, "ndim", 0) >= 1 and v.shape[0] == 100 else v) for k, v in d.items()}
o = dict(small); o["spectra"] = np.array([np.zeros(3), None], dtype=object)
np.savez(os.path.join(here, "bad_object_array.npz"), **o)
s = dict(small); s["norms"] = np.array(["a"] * n)
np.savez(os.path.join(here, "bad_string_norms.npz"), **s)
e = dict(small)
for k in ["spectra", "mask", "spec_err", "norms", "coeffs", "lineindex_cln"]:
    e[k] = e[k][:0]
np.savez(os.path.join(here, "bad_empty.npz"), **e)
c = dict(small); c["spectra"] = c["spectra"].astype(np.complex64)
np.savez(os.path.join(here, "bad_complex_spectra.npz"), **c)
np.savez(os.path.join(here, "small_ok.npz"), **small)
