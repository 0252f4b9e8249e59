"""Performance and GPU checks (as mmdet's ``tools/analysis_tools/``): scripts, importable as modules."""
