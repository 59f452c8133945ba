-- Monthly first-time cohorts over fct_person_days; retained in month N = active in month N.
{{ cohort_retention(
    relation=ref('fct_person_days'), person_column='person_id', time_column='activity_date',
    interval='month', cohort_type='first_time', mode='on',
    n_periods=var('retention_month_periods')
) }}
