-- Daily recurring cohorts over fct_person_days (every active day of a person is a cohort).
{{ cohort_retention(
    relation=ref('fct_person_days'), person_column='person_id', time_column='activity_date',
    interval='day', cohort_type='recurring', mode='on',
    n_periods=var('retention_day_periods')
) }}
