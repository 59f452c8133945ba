{#- The times each person meets each audience's condition (var audience_triggers, checked by
    macro audience_declarations): one row per occurrence (macro audience_occurrences) that
    completes min_count occurrences within window_days, from then until the earliest of
    those occurrences leaves the window (or the occurrence's cap). Occurrences after the data
    clock (the latest snapshot: the end of the last day with events) are not seen yet. -#}
{%- set audiences = audience_declarations() -%}
{%- set event_names = [] -%}
{%- for audience in audiences -%}
    {%- for name in audience.event_names + [audience.first_event, audience.then_event] -%}
        {%- if name and name not in event_names -%}{%- do event_names.append(name) -%}{%- endif -%}
    {%- endfor -%}
{%- endfor -%}

with

audience_events as (
    select
        person_id,
        event_id,
        event_name,
        occurred_at
    from {{ ref('int_events_sessionized') }}
    where
        event_name in (
            {%- for name in event_names %}
                '{{ name }}'{{ ',' if not loop.last }}
            {%- endfor %}
        )
),

audience_snapshots as (
    select
        features.*,
        scores.churn_probability,
        scores.upsell_probability,
        scores.segment_number
    from {{ ref('fct_person_features') }} as features
    inner join {{ ref('fct_person_scores') }} as scores
        on features.person_feature_id = scores.person_feature_id
),

data_clock as (
    select cast(snapshot_date as timestamp) as as_of
    from {{ ref('int_prediction_snapshots') }}
    where snapshot_role = 'scoring'
),

{% for audience in audiences %}
    occurrences_{{ loop.index }} as (
        {{ audience_occurrences(audience) | indent(4) }}
    ),

    intervals_{{ loop.index }} as (
        select
            person_id,
            occurred_at as starts_at,
        {%- set window_start = 'occurred_at' if audience.min_count == 1 else
            'lag(occurred_at, ' ~ (audience.min_count - 1) ~ ') over (partition by person_id order by occurred_at)' %}
            {{ timestamp_add_hours(audience.window_days * 24, window_start) }} as window_ends_at,
            ends_at_cap
        from occurrences_{{ loop.index }}
    ),

{% endfor %}
intervals as (
    {%- if audiences %}
        {%- for audience in audiences %}
            select
                '{{ audience.name }}' as audience_name,
                person_id,
                starts_at,
                case
                    when ends_at_cap < window_ends_at then ends_at_cap else window_ends_at
                end as ends_at,
                {{ audience.cooldown_days }} as cooldown_days
            from intervals_{{ loop.index }}
            where window_ends_at is not null
            {%- if not loop.last %}
                union all
            {%- endif %}
        {%- endfor %}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as audience_name,
        cast(null as {{ dbt.type_string() }}) as person_id,
        cast(null as timestamp) as starts_at,
        cast(null as timestamp) as ends_at,
        0 as cooldown_days
    where 1 = 0
    {%- endif %}
),

final as (
    select distinct
        intervals.audience_name,
        intervals.person_id,
        intervals.starts_at,
        intervals.ends_at,
        intervals.cooldown_days,
        data_clock.as_of
    from intervals
    cross join data_clock
    where
        intervals.ends_at > intervals.starts_at
        and intervals.starts_at <= data_clock.as_of
)

select * from final
