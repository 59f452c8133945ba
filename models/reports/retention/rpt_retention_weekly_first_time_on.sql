-- Weekly first-time cohorts over fct_person_days; retained in week N = active in week N.
{{ cohort_retention(
    relation=ref('fct_person_days'), person_column='person_id', time_column='activity_date',
    interval='week', cohort_type='first_time', mode='on',
    n_periods=var('retention_week_periods')
) }}
