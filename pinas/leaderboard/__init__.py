"""Result records and the leaderboard built from them (stage 4 of the suite)."""
from .record import (METRICS, RECORD_FILE, RECORD_GLOB, SCHEMA_VERSION, SOURCES, TASKS, Provenance, Record,
                     RecordError, Task, find_records, load_record, load_records, save_record)

__all__ = ['METRICS', 'RECORD_FILE', 'RECORD_GLOB', 'SCHEMA_VERSION', 'SOURCES', 'TASKS', 'Provenance', 'Record',
           'RecordError', 'Task', 'find_records', 'load_record', 'load_records', 'save_record']
