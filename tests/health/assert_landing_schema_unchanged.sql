-- Landing-file columns added, dropped or retyped (rpt_landing_schema_changes). Severity var
-- data_health_test_severity: warn by default, error to fail the build.
{{ config(severity=var('data_health_test_severity')) }}

select
    column_name,
    change_kind,
    landing_file,
    previous_type,
    column_type
from {{ ref('rpt_landing_schema_changes') }}
