{%- set segments = segment_priority_order() -%}
{%- set recent_days = var('segment_active_recent_days') -%}
{%- set lapsed_days = var('segment_lapsed_days') -%}
{%- set frequency_weeks = var('segment_high_frequency_weeks') -%}
{%- set at_risk_days = var('segment_at_risk_window_days') -%}

with

person_days as (
    select
        person_id,
        activity_date
    from {{ ref('fct_person_days') }}
),

sessions as (
    select
        person_id,
        started_at
    from {{ ref('fct_sessions') }}
),

persons as (
    select
        person_id,
        first_seen_date
    from {{ ref('dim_persons') }}
),

engagement_features as (
    select
        person_id,
        n_features_used
    from {{ ref('dim_person_engagement_features') }}
),

-- the demo data is historical: everything is measured against its last activity date
as_of as (
    select max(activity_date) as as_of_date
    from person_days
),

person_days_aged as (
    select
        person_days.person_id,
        person_days.activity_date,
        {{ dbt.datediff('person_days.activity_date', 'as_of.as_of_date', 'day') }}
            as days_ago
    from person_days
    cross join as_of
),

person_activity as (
    select
        person_id,
        max(activity_date) as last_active_date,
        count(case when days_ago < {{ at_risk_days }} then 1 end)
            as n_active_days_recent_window,
        count(
            case
                when days_ago >= {{ at_risk_days }} and days_ago < 2 * {{ at_risk_days }} then 1
            end
        ) as n_active_days_prior_window
    from person_days_aged
    group by person_id
),

-- a session counts in the window of the UTC date it started on
sessions_aged as (
    select
        sessions.person_id,
        {{ dbt.datediff('cast(sessions.started_at as date)', 'as_of.as_of_date', 'day') }}
            as days_ago
    from sessions
    cross join as_of
),

person_sessions as (
    select
        person_id,
        count(case when days_ago < 7 * {{ frequency_weeks }} then 1 end)
            as n_sessions_frequency_window
    from sessions_aged
    group by person_id
),

person_inputs as (
    select
        persons.person_id,
        as_of.as_of_date,
        persons.first_seen_date,
        person_activity.last_active_date,
        {{ dbt.datediff('persons.first_seen_date', 'as_of.as_of_date', 'day') }}
            as days_since_first_seen,
        {{ dbt.datediff('person_activity.last_active_date', 'as_of.as_of_date', 'day') }}
            as days_since_last_active,
        coalesce(person_activity.n_active_days_recent_window, 0) as n_active_days_recent_window,
        coalesce(person_activity.n_active_days_prior_window, 0) as n_active_days_prior_window,
        coalesce(person_sessions.n_sessions_frequency_window, 0) as n_sessions_frequency_window,
        coalesce(engagement_features.n_features_used, 0) as n_features_used
    from persons
    cross join as_of
    left join person_activity
        on persons.person_id = person_activity.person_id
    left join person_sessions
        on persons.person_id = person_sessions.person_id
    left join engagement_features
        on persons.person_id = engagement_features.person_id
),

person_flags as (
    select
        person_id,
        as_of_date,
        first_seen_date,
        last_active_date,
        days_since_first_seen,
        days_since_last_active,
        n_active_days_recent_window,
        n_active_days_prior_window,
        n_sessions_frequency_window,
        {{ safe_divide('n_sessions_frequency_window', frequency_weeks) }} as avg_sessions_per_week,
        n_features_used,
        days_since_last_active < {{ recent_days }} as is_active_recent,
        days_since_last_active >= {{ lapsed_days }} as is_lapsed,
        n_sessions_frequency_window
        >= {{ var('segment_high_frequency_sessions_per_week') }} * {{ frequency_weeks }}
            as is_engaged_high_frequency,
        days_since_first_seen < {{ var('segment_new_days') }} as is_new,
        n_active_days_recent_window
        < {{ var('segment_at_risk_ratio') }} * n_active_days_prior_window
        and days_since_last_active < {{ lapsed_days }} as is_at_risk,
        n_features_used >= {{ var('segment_power_user_min_features') }}
        and days_since_last_active < {{ var('segment_power_user_active_days') }}
            as is_power_user
    from person_inputs
),

-- the fallback: active within segment_lapsed_days, but no other rule applies
person_flags_with_fallback as (
    select
        *,
        not is_active_recent
        and not is_lapsed
        and not is_engaged_high_frequency
        and not is_new
        and not is_at_risk
        and not is_power_user as is_occasional
    from person_flags
),

final as (
    select
        person_id,
        as_of_date,
        first_seen_date,
        last_active_date,
        -- bigint on every engine (a date difference is an integer on Postgres): the contract
        cast(days_since_first_seen as {{ dbt.type_bigint() }}) as days_since_first_seen,
        cast(days_since_last_active as {{ dbt.type_bigint() }}) as days_since_last_active,
        n_active_days_recent_window,
        n_active_days_prior_window,
        n_sessions_frequency_window,
        avg_sessions_per_week,
        n_features_used,
        {%- for segment in segments %}
            is_{{ segment.name }},
        {%- endfor %}
        -- first matching segment in the order of macro segment_priority_order
        case
            {%- for segment in segments %}
                when is_{{ segment.name }} then '{{ segment.name }}'
            {%- endfor %}
        end as primary_segment,
        case
            {%- for segment in segments %}
                when is_{{ segment.name }} then {{ loop.index }}
            {%- endfor %}
        end as segment_priority
    from person_flags_with_fallback
)

select * from final
