-- Weekly first-time cohorts over fct_person_days; retained = active in week N or later.
{{ cohort_retention(
    relation=ref('fct_person_days'), person_column='person_id', time_column='activity_date',
    interval='week', cohort_type='first_time', mode='on_or_after',
    n_periods=var('retention_week_periods')
) }}
