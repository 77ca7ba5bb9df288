"""Writes of the people app: the roster import, screening visits and the key persons they
derive, responsibility (三级包保), full reads and exports of personal data (audited).

One module per topic: pii (masks, full reads), addresses, imports, households, risk_areas,
screening, key_persons, exports. This package re-exports every name, so
`from firstline.people.services import X` keeps working."""

from ..phones import phone_normalize
from .addresses import (
    ADDRESS_SUFFIXES,
    FULL_WIDTH,
    _address_part,
    building_name_normalize,
    household_address_normalize,
    room_normalize,
    unit_normalize,
)
from .exports import (
    _FORMULA_FIRST,
    RESIDENCY_CN,
    ROSTER_HEADER,
    _csv_cell,
    _encode,
    _roster_rows,
    csv_stream,
    excel_text,
    roster_export_begin,
    roster_rows,
    safe_cell,
    xlsx_file,
)
from .households import (
    GridMerge,
    MemberAdded,
    household_member_add,
    households_merge_grids,
    id_number_check,
    id_number_normalize,
)
from .imports import (
    IMPORT_LEASE,
    THREADED_BYTES,
    _AppendErrors,
    _job_failed,
    _progress_recorder,
    _scope_words,
    _uploads_dir,
    import_job_create,
    import_job_enqueue,
    import_job_errors_path,
    import_job_run,
    import_job_step,
    import_job_submit,
    import_jobs_resume,
    import_partials_sweep,
    residents_import,
)
from .key_persons import (
    DEFAULT_CATEGORIES,
    KEY_FACT_SOURCES,
    _derive_key_facts,
    _key_facts_changed,
    key_fact_close,
    key_fact_open,
    key_fact_source_label,
    key_person_categories_ensure,
    responsibility_set,
)
from .pii import (
    API_NO_REASON,
    FULL_READ_REASONS,
    PHONE_GRANTS,
    PII_FIELDS,
    REASON_MAX,
    full_read_reason,
    mask_id_number,
    mask_in_text,
    mask_phone,
    phone_grants_subscribe,
    pii_read,
    resident_read,
    resident_read_full,
    resident_search_audit,
)
from .risk_areas import (
    _CITY_RE,
    _SUFFIXES,
    _area_code,
    _covering,
    _legacy_match,
    _same_place,
    gbt2260_provinces,
    place_name,
    risk_area_add,
    risk_area_end,
    risk_area_in_text,
    risk_area_match,
)
from .roster_template import (
    roster_template_csv,
    roster_template_guide,
    roster_template_rows,
    roster_template_xlsx,
    template_notes,
)
from .screening import (
    RESIDENT_PANELS,
    VISIT_ALERT_READERS,
    VISIT_FINDING_HANDLERS,
    FollowUp,
    VisitAlert,
    resident_panels_subscribe,
    screening_visit_record,
    visit_alerts,
    visit_alerts_subscribe,
    visit_findings_subscribe,
    visit_followups,
)

# Every name the module had before it became a package, for its callers.
__all__ = [
    "phone_normalize", "API_NO_REASON", "FULL_READ_REASONS", "PII_FIELDS", "REASON_MAX",
    "full_read_reason", "mask_id_number", "mask_in_text", "resident_search_audit", "mask_phone", "PHONE_GRANTS",
    "phone_grants_subscribe", "pii_read", "resident_read",
    "resident_read_full", "ADDRESS_SUFFIXES", "FULL_WIDTH", "_address_part",
    "building_name_normalize", "household_address_normalize", "room_normalize",
    "unit_normalize", "IMPORT_LEASE", "THREADED_BYTES", "_AppendErrors",
    "_job_failed", "_progress_recorder", "_scope_words", "_uploads_dir", "import_job_create",
    "import_job_enqueue", "import_job_errors_path", "import_job_run", "import_job_step",
    "import_job_submit", "import_jobs_resume", "import_partials_sweep", "residents_import", "GridMerge", "MemberAdded",
    "household_member_add", "households_merge_grids", "id_number_check", "id_number_normalize",
    "_CITY_RE", "_SUFFIXES", "_area_code", "_covering", "_legacy_match", "_same_place",
    "gbt2260_provinces", "place_name", "risk_area_add", "risk_area_end", "risk_area_in_text",
    "risk_area_match", "FollowUp", "RESIDENT_PANELS", "VISIT_FINDING_HANDLERS",
    "resident_panels_subscribe", "screening_visit_record", "visit_findings_subscribe",
    "visit_followups", "VISIT_ALERT_READERS", "VisitAlert", "visit_alerts",
    "visit_alerts_subscribe", "DEFAULT_CATEGORIES", "KEY_FACT_SOURCES", "_derive_key_facts",
    "_key_facts_changed", "key_fact_close", "key_fact_open", "key_fact_source_label",
    "key_person_categories_ensure", "responsibility_set", "RESIDENCY_CN", "ROSTER_HEADER",
    "_FORMULA_FIRST", "_csv_cell", "_encode", "_roster_rows", "csv_stream", "excel_text",
    "roster_export_begin", "roster_rows", "safe_cell", "xlsx_file",
    "roster_template_csv", "roster_template_guide", "roster_template_rows",
    "roster_template_xlsx", "template_notes",
]
