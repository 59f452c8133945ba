-- Event names whose newest event was received longer ago than their error threshold
-- (rpt_data_freshness, status error). Severity var data_health_test_severity: warn by
-- default, error to fail the build.
{{ config(severity=var('data_health_test_severity')) }}

select
    event_name,
    newest_received_at,
    as_of,
    hours_since_received,
    error_after_hours
from {{ ref('rpt_data_freshness') }}
where freshness_status = 'error'
