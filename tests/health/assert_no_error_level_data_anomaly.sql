-- An hour whose volume or null rate is far outside its band, or an event name that stopped
-- (rpt_data_anomalies, severity error). Severity var data_health_test_severity: warn by
-- default (dbt build reports it and passes), error to fail the build.
{{ config(severity=var('data_health_test_severity')) }}

select
    anomaly_id,
    hour_at,
    metric,
    anomaly_kind,
    event_name,
    device_type,
    channel_group,
    column_name,
    observed,
    expected
from {{ ref('rpt_data_anomalies') }}
where severity = 'error'
