{#- Cohort retention matrix (PostHog / Amplitude / Mixpanel retention), one row per cohort
    period x period number 0..n_periods.

    A person's activity is the rows of `relation` (one or many per person and day);
    `time_column` (timestamp or date) is read as a UTC date. Dates fall into periods of
    `interval`: day = the date, week = the Monday-start week (dbt.date_trunc('week')),
    month = the calendar month. The period number of a date in a cohort is the number
    of whole periods between the cohort's period start and the date's period start
    (days; days / 7 for weeks; year * 12 + month for months).

    Cohorts (rows matching `start_event_filter`, default every row):
      first_time  a person's cohort is the period of their first start event;
      recurring   every period in which the person had a start event is a cohort of theirs.
    Retained in period N > 0 (rows matching `return_event_filter`, default every row):
      on           a return event in period N exactly;
      on_or_after  a return event in period N or any later period (unbounded).
    Period 0 is the cohort period itself: every member is retained in it by definition
    (their start event is activity), so its rate is 1.

    is_period_complete is false when cohort_start + (period_number + 1) periods is after
    the last activity date of the relation (all rows, before any filter): the period has
    not fully elapsed, and the last date itself counts as still in progress. In mode
    on_or_after such a period cannot enter a denominator (the design's rule: a person may
    still come back in it), so its retention_rate is null (period 0, known to be 1,
    excepted); n_retained_persons still counts the persons seen so far. In mode on the rate
    of an incomplete period is reported as measured so far, flagged by the column.
    A period that has not started by the last activity date has no row: the matrix is a
    triangle, as in PostHog and Amplitude, never a row of zeros for the future.

    Returns a select of: cohort_start (date), period_number, n_cohort_persons,
    n_retained_persons, retention_rate (safe_divide), is_period_complete. -#}
{% macro cohort_retention(
    relation,
    person_column,
    time_column,
    interval,
    cohort_type,
    mode,
    n_periods,
    start_event_filter=none,
    return_event_filter=none
) -%}
    {{ return(adapter.dispatch('cohort_retention', 'behavioral_warehouse')(
        relation, person_column, time_column, interval, cohort_type, mode, n_periods,
        start_event_filter, return_event_filter
    )) }}
{%- endmacro %}

{% macro default__cohort_retention(
    relation,
    person_column,
    time_column,
    interval,
    cohort_type,
    mode,
    n_periods,
    start_event_filter=none,
    return_event_filter=none
) -%}
    {%- if interval not in ['day', 'week', 'month'] -%}
        {{ exceptions.raise_compiler_error(
            "cohort_retention: interval must be 'day', 'week' or 'month', got '" ~ interval ~ "'") }}
    {%- endif -%}
    {%- if cohort_type not in ['first_time', 'recurring'] -%}
        {{ exceptions.raise_compiler_error(
            "cohort_retention: cohort_type must be 'first_time' or 'recurring', got '" ~ cohort_type ~ "'") }}
    {%- endif -%}
    {%- if mode not in ['on', 'on_or_after'] -%}
        {{ exceptions.raise_compiler_error(
            "cohort_retention: mode must be 'on' or 'on_or_after', got '" ~ mode ~ "'") }}
    {%- endif -%}
    {%- if n_periods is not number or n_periods < 0 or n_periods != n_periods | int -%}
        {{ exceptions.raise_compiler_error(
            "cohort_retention: n_periods must be a whole number >= 0, got '" ~ n_periods ~ "'") }}
    {%- endif -%}
    {%- set start_filter = start_event_filter if start_event_filter else 'true' -%}
    {%- set return_filter = return_event_filter if return_event_filter else 'true' -%}

    {#- Start of the period holding a date; `__date__` is replaced by the expression. -#}
    {%- if interval == 'day' -%}
        {%- set period_start_template = 'cast(__date__ as date)' -%}
    {%- else -%}
        {%- set period_start_template = 'cast(' ~ dbt.date_trunc(interval, '__date__') ~ ' as date)' -%}
    {%- endif -%}

    {#- Whole periods from one period start (__from__) to another (__to__). Both are
        period starts, so a day difference of two Mondays divides by 7 exactly (no
        dbt.datediff on weeks: its week boundary differs between engines). -#}
    {%- if interval == 'day' -%}
        {%- set period_number_template = dbt.datediff('__from__', '__to__', 'day') -%}
    {%- elif interval == 'week' -%}
        {%- set period_number_template =
            'cast((' ~ dbt.datediff('__from__', '__to__', 'day') ~ ') / 7 as integer)' -%}
    {%- else -%}
        {%- set period_number_template =
            'cast((extract(year from __to__) - extract(year from __from__)) * 12'
            ~ ' + extract(month from __to__) - extract(month from __from__) as integer)' -%}
    {%- endif -%}

with

retention_activity as (
    select
        {{ person_column }} as person_id,
        cast({{ time_column }} as date) as activity_date,
        case when ({{ start_filter }}) then 1 else 0 end as is_start_event,
        case when ({{ return_filter }}) then 1 else 0 end as is_return_event
    from {{ relation }}
    where
        {{ person_column }} is not null
        and {{ time_column }} is not null
),

retention_activity_periods as (
    select
        person_id,
        activity_date,
        {{ period_start_template | replace('__date__', 'activity_date') }} as period_start,
        is_start_event,
        is_return_event
    from retention_activity
),

-- one row per person and period with activity
retention_person_periods as (
    select
        person_id,
        period_start,
        max(is_start_event) as has_start_event,
        max(is_return_event) as has_return_event
    from retention_activity_periods
    group by
        person_id,
        period_start
),

-- the period holding the last activity date: the periods before it have fully elapsed
retention_data_end as (
    select
        {{ period_start_template | replace('__date__', 'max(activity_date)') }}
            as last_period_start
    from retention_activity
),

retention_cohort_members as (
    {%- if cohort_type == 'first_time' %}
    select
        person_id,
        min(period_start) as cohort_start
    from retention_person_periods
    where has_start_event = 1
    group by person_id
    {%- else %}
    select
        person_id,
        period_start as cohort_start
    from retention_person_periods
    where has_start_event = 1
    {%- endif %}
),

retention_cohorts as (
    select
        cohort_start,
        count(*) as n_cohort_persons
    from retention_cohort_members
    group by cohort_start
),

-- one row per cohort member and later period with a return event
retention_returns as (
    select
        retention_cohort_members.cohort_start,
        retention_cohort_members.person_id,
        {{ period_number_template
            | replace('__from__', 'retention_cohort_members.cohort_start')
            | replace('__to__', 'retention_person_periods.period_start') }} as period_number
    from retention_cohort_members
    inner join retention_person_periods
        on retention_cohort_members.person_id = retention_person_periods.person_id
    where
        retention_person_periods.has_return_event = 1
        and retention_person_periods.period_start >= retention_cohort_members.cohort_start
),

retention_period_numbers as (
    {%- for period_number in range(n_periods | int + 1) %}
    select {{ period_number }} as period_number
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

{%- if mode == 'on' %}

retention_retained as (
    select
        cohort_start,
        period_number,
        count(*) as n_retained_persons
    from retention_returns
    where period_number between 1 and {{ n_periods | int }}
    group by
        cohort_start,
        period_number
),
{%- else %}

-- on or after period N: the member's last return is in period N or later
retention_last_returns as (
    select
        cohort_start,
        person_id,
        max(period_number) as last_period_number
    from retention_returns
    group by
        cohort_start,
        person_id
),

retention_retained as (
    select
        retention_last_returns.cohort_start,
        retention_period_numbers.period_number,
        count(*) as n_retained_persons
    from retention_last_returns
    inner join retention_period_numbers
        on retention_last_returns.last_period_number >= retention_period_numbers.period_number
    where retention_period_numbers.period_number >= 1
    group by
        retention_last_returns.cohort_start,
        retention_period_numbers.period_number
),
{%- endif %}

retention_matrix as (
    select
        retention_cohorts.cohort_start,
        retention_period_numbers.period_number,
        retention_cohorts.n_cohort_persons,
        case
            when retention_period_numbers.period_number = 0 then retention_cohorts.n_cohort_persons
            else coalesce(retention_retained.n_retained_persons, 0)
        end as n_retained_persons,
        retention_period_numbers.period_number < {{ period_number_template
            | replace('__from__', 'retention_cohorts.cohort_start')
            | replace('__to__', 'retention_data_end.last_period_start') }} as is_period_complete
    from retention_cohorts
    cross join retention_period_numbers
    cross join retention_data_end
    left join retention_retained
        on
            retention_cohorts.cohort_start = retention_retained.cohort_start
            and retention_period_numbers.period_number = retention_retained.period_number
    -- periods that have not started by the last activity date are not part of the matrix
    where retention_period_numbers.period_number <= {{ period_number_template
        | replace('__from__', 'retention_cohorts.cohort_start')
        | replace('__to__', 'retention_data_end.last_period_start') }}
),

retention_final as (
    select
        cohort_start,
        period_number,
        n_cohort_persons,
        n_retained_persons,
        {%- if mode == 'on_or_after' %}
        case
            when period_number > 0 and not is_period_complete then null
            else {{ safe_divide('n_retained_persons', 'n_cohort_persons') }}
        end as retention_rate,
        {%- else %}
        {{ safe_divide('n_retained_persons', 'n_cohort_persons') }} as retention_rate,
        {%- endif %}
        is_period_complete
    from retention_matrix
)

select * from retention_final
{%- endmacro %}
