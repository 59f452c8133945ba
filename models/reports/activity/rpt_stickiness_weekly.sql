-- Stickiness per week of the persons of fct_person_days, over the calendar of dim_dates.
{{ stickiness(
    relation=ref('fct_person_days'), calendar_relation=ref('dim_dates'), period='week'
) }}
