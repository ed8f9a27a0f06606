"""The only package that speaks SQL (tests/core/test_store_boundary.py holds every other module to it).

* db: engine, sessions (`StoreSession`, an opaque handle outside the store), migrations, `StoreFailure`;
* models (private to the store) and migrations/ (Alembic);
* writes: repository (experiments, cases, ratings), runs (open/resume/finish a run), results (outputs,
  scores, cache), batch_jobs, dismissals, sequential, versions, runlock;
* the read model: queries (rows: runs, cases, outputs, ratings), frames (whole-run frames), run_summary;
* records (typed rows that cross the boundary) and statuses (StrEnums as stored).
"""
