{#- Each analysed person's value of every experiment metric (macro experiment_metrics: the
    definitions) in the attribution window after first exposure, and the same metric over
    the same length before it (the CUPED covariate). The activity of a period: sessions with
    an event in it (ended at or after its start, started before its end), conversion events
    and order revenue that occurred in it, active days of the retention week, and the
    funnel of var experiment_funnel_name entered and completed in it. -#}
{%- set metrics = experiment_metrics() -%}
{%- set window_hours = '24 * experiments.attribution_window_days' -%}
with

exposures as (
    select
        experiment_key,
        person_id,
        variant,
        first_exposed_at
    from {{ ref('fct_experiment_exposures') }}
    where is_analysed
),

experiments as (
    select distinct
        experiment_key,
        attribution_window_days
    from {{ ref('dim_experiment_variants') }}
),

windows as (
    select
        exposures.experiment_key,
        exposures.person_id,
        exposures.variant,
        exposures.first_exposed_at,
        {{ dbt.dateadd('hour', window_hours, 'exposures.first_exposed_at') }} as window_ends_at,
        {{ dbt.dateadd('hour', '-' ~ window_hours, 'exposures.first_exposed_at') }}
            as pre_window_starts_at,
        cast(exposures.first_exposed_at as date) as exposed_on
    from exposures
    inner join experiments
        on exposures.experiment_key = experiments.experiment_key
),

sessions as (
    select
        person_id,
        started_at,
        ended_at,
        is_engaged,
        is_bounce
    from {{ ref('fct_sessions') }}
),

session_periods as (
    select
        windows.experiment_key,
        windows.person_id,
        case
            when sessions.ended_at >= windows.first_exposed_at then 'post'
            when sessions.started_at >= windows.pre_window_starts_at then 'pre'
        end as period,
        sessions.is_engaged,
        sessions.is_bounce
    from windows
    inner join sessions
        on
            windows.person_id = sessions.person_id
            and windows.pre_window_starts_at <= sessions.ended_at
            and windows.window_ends_at > sessions.started_at
),

session_counts as (
    select
        experiment_key,
        {%- for period in ['post', 'pre'] %}
            sum(case when period = '{{ period }}' then 1 else 0 end) as {{ period }}_n_sessions,
            sum(case when period = '{{ period }}' and is_engaged then 1 else 0 end)
                as {{ period }}_n_engaged_sessions,
            sum(case when period = '{{ period }}' and is_bounce then 1 else 0 end)
                as {{ period }}_n_bounced_sessions,
        {%- endfor %}
        person_id
    from session_periods
    group by experiment_key, person_id
),

conversion_events as (
    select
        person_id,
        occurred_at,
        is_conversion,
        revenue
    from {{ ref('int_events_sessionized') }}
    where is_conversion or revenue is not null
),

conversion_counts as (
    select
        windows.experiment_key,
        {%- for period, condition in [
            ('post', 'conversion_events.occurred_at >= windows.first_exposed_at'),
            ('pre', 'conversion_events.occurred_at < windows.first_exposed_at'),
        ] %}
            sum(case when {{ condition }} and conversion_events.is_conversion then 1 else 0 end)
                as {{ period }}_n_conversions,
            sum(case when {{ condition }} then coalesce(conversion_events.revenue, 0) else 0 end)
                as {{ period }}_revenue,
        {%- endfor %}
        windows.person_id
    from windows
    inner join conversion_events
        on
            windows.person_id = conversion_events.person_id
            and windows.pre_window_starts_at <= conversion_events.occurred_at
            and windows.window_ends_at > conversion_events.occurred_at
    group by windows.experiment_key, windows.person_id
),

person_days as (
    select
        person_id,
        activity_date
    from {{ ref('fct_person_days') }}
),

retention_days as (
    select
        windows.experiment_key,
        windows.person_id,
        sum(case
            when person_days.activity_date >= {{ dbt.dateadd('day', 7, 'windows.exposed_on') }}
                then 1
            else 0
        end) as post_n_retention_days,
        sum(case when person_days.activity_date < windows.exposed_on then 1 else 0 end)
            as pre_n_retention_days
    from windows
    inner join person_days
        on
            windows.person_id = person_days.person_id
            and person_days.activity_date >= {{ dbt.dateadd('day', -7, 'windows.exposed_on') }}
            and person_days.activity_date <= {{ dbt.dateadd('day', 13, 'windows.exposed_on') }}
    group by windows.experiment_key, windows.person_id
),

funnel_step_events as (
    select
        step_number,
        step_order,
        person_id,
        occurred_at
    from {{ ref('int_funnel_step_events') }}
    where funnel_name = {{ text_literal(var('experiment_funnel_name')) }}
),

funnel_length as (
    select max(step_number) as n_steps
    from {{ ref('funnel_steps') }}
    where funnel_name = {{ text_literal(var('experiment_funnel_name')) }}
),

-- each experiment x period is a funnel of its own (macro funnel_steps_reached, the rule)
period_step_events as (
    select
        {{ dbt.concat([
            'windows.experiment_key',
            "'|'",
            "case when funnel_step_events.occurred_at >= windows.first_exposed_at"
                ~ " then 'post' else 'pre' end",
        ]) }} as funnel_name,
        windows.experiment_key,
        case
            when funnel_step_events.occurred_at >= windows.first_exposed_at then 'post'
            else 'pre'
        end as period,
        funnel_step_events.step_number,
        funnel_step_events.step_order,
        windows.person_id,
        funnel_step_events.occurred_at
    from windows
    inner join funnel_step_events
        on
            windows.person_id = funnel_step_events.person_id
            and windows.pre_window_starts_at <= funnel_step_events.occurred_at
            and windows.window_ends_at > funnel_step_events.occurred_at
),

period_funnels as (
    select distinct
        funnel_name,
        experiment_key,
        period
    from period_step_events
),

steps_reached as (
    {{ funnel_steps_reached('period_step_events') | indent(4) }}
),

funnel_ends as (
    select
        period_funnels.experiment_key,
        steps_reached.person_id,
        max(case when period_funnels.period = 'post' then 1 else 0 end) as post_reached_funnel_end,
        max(case when period_funnels.period = 'pre' then 1 else 0 end) as pre_reached_funnel_end
    from steps_reached
    inner join period_funnels
        on steps_reached.funnel_name = period_funnels.funnel_name
    cross join funnel_length
    where steps_reached.step_number = funnel_length.n_steps
    group by period_funnels.experiment_key, steps_reached.person_id
),

activity as (
    select
        windows.experiment_key,
        windows.person_id,
        windows.variant,
        {%- for period in ['post', 'pre'] %}
            {%- for column, counts in [
                ('n_sessions', 'session_counts'),
                ('n_engaged_sessions', 'session_counts'),
                ('n_bounced_sessions', 'session_counts'),
                ('n_conversions', 'conversion_counts'),
                ('revenue', 'conversion_counts'),
                ('n_retention_days', 'retention_days'),
                ('reached_funnel_end', 'funnel_ends'),
            ] %}
                coalesce({{ counts }}.{{ period }}_{{ column }}, 0) as {{ period }}_{{ column }},
            {%- endfor %}
        {%- endfor %}
        windows.first_exposed_at
    from windows
    left join session_counts
        on
            windows.experiment_key = session_counts.experiment_key
            and windows.person_id = session_counts.person_id
    left join conversion_counts
        on
            windows.experiment_key = conversion_counts.experiment_key
            and windows.person_id = conversion_counts.person_id
    left join retention_days
        on
            windows.experiment_key = retention_days.experiment_key
            and windows.person_id = retention_days.person_id
    left join funnel_ends
        on
            windows.experiment_key = funnel_ends.experiment_key
            and windows.person_id = funnel_ends.person_id
),

metric_values as (
    {%- for name, metric in metrics.items() %}
        select
            experiment_key,
            person_id,
            variant,
            first_exposed_at,
            {{ text_literal(name) }} as metric_name,
            {{ text_literal(metric.kind) }} as metric_kind,
            cast({{ metric.value | replace('@', 'post_') }} as {{ type_double() }}) as metric_value,
            cast({{ metric.denominator | replace('@', 'post_') }} as {{ type_double() }})
                as metric_denominator,
            cast({{ metric.value | replace('@', 'pre_') }} as {{ type_double() }})
                as pre_metric_value,
            cast({{ metric.denominator | replace('@', 'pre_') }} as {{ type_double() }})
                as pre_metric_denominator
        from activity
        {%- if not loop.last %}
            union all
        {%- endif -%}
    {%- endfor %}
),

final as (
    select
        {{ surrogate_key(['experiment_key', 'person_id', 'metric_name']) }}
            as experiment_person_metric_id,
        experiment_key,
        person_id,
        variant,
        first_exposed_at,
        metric_name,
        metric_kind,
        metric_value,
        metric_denominator,
        pre_metric_value,
        pre_metric_denominator
    from metric_values
)

select * from final
