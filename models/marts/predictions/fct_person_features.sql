{#- Person features as of each snapshot (int_prediction_snapshots): every count sees only the
    days before the snapshot, so a model trained on a snapshot never sees its future. The
    labels look forward from the snapshot over var prediction_horizon_days and are null
    where the data does not cover that horizon yet. Windowed columns are named
    <measure>_<days>d for each of var prediction_feature_windows_days (macro
    prediction_features). -#}
{%- set windows = var('prediction_feature_windows_days') | sort -%}
{%- set longest = windows | last -%}
{%- set horizon_days = var('prediction_horizon_days') -%}
{%- set holdout_bound = '%04x' | format((var('prediction_holdout_share') * 65536) | int) -%}

with

snapshots as (
    select * from {{ ref('int_prediction_snapshots') }}
),

persons as (
    select
        person_id,
        first_seen_date,
        first_touch_channel_group as channel_group,
        first_touch_device_type as device_type
    from {{ ref('dim_persons') }}
),

person_days as (
    select
        person_id,
        activity_date,
        n_events,
        n_page_views,
        n_conversions,
        revenue
    from {{ ref('fct_person_days') }}
),

sessions as (
    select
        person_id,
        session_date,
        duration_seconds,
        is_engaged
    from {{ ref('fct_sessions') }}
),

feature_use_days as (
    select
        person_id,
        feature_name,
        usage_date,
        n_uses
    from {{ ref('int_feature_uses') }}
),

-- every person seen before the snapshot; the holdout by a hash of the person, so a person
-- is in it at every snapshot
person_snapshots as (
    select
        persons.person_id,
        snapshots.snapshot_date,
        snapshots.snapshot_role,
        snapshots.is_label_observed,
        cast(
            {{ dbt.datediff('persons.first_seen_date', 'snapshots.snapshot_date', 'day') }}
            as {{ dbt.type_int() }}
        ) as tenure_days,
        persons.channel_group,
        persons.device_type,
        substring({{ dbt.hash('persons.person_id') }}, 1, 4) < '{{ holdout_bound }}' as is_holdout
    from persons
    inner join snapshots
        on persons.first_seen_date < snapshots.snapshot_date
),

window_person_days as (
    {{ rows_before_snapshots(
        'person_days', 'activity_date',
        ['n_events', 'n_page_views', 'n_conversions', 'revenue'], longest
    ) | indent(4) }}
),

day_features as (
    select
        person_id,
        snapshot_date,
        {%- for window_days in windows %}
            count(case when days_before <= {{ window_days }} then 1 end)
                as active_days_{{ window_days }}d,
            cast(
                sum(case when days_before <= {{ window_days }} then n_events else 0 end)
                as {{ dbt.type_bigint() }}
            ) as events_{{ window_days }}d,
            cast(
                sum(case when days_before <= {{ window_days }} then n_page_views else 0 end)
                as {{ dbt.type_bigint() }}
            ) as page_views_{{ window_days }}d,
            cast(
                sum(case when days_before <= {{ window_days }} then n_conversions else 0 end)
                as {{ dbt.type_bigint() }}
            ) as conversions_{{ window_days }}d,
            cast(
                sum(case when days_before <= {{ window_days }} then revenue else 0 end)
                as decimal(38, 6)
            ) as revenue_{{ window_days }}d
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from window_person_days
    group by
        person_id,
        snapshot_date
),

window_sessions as (
    {{ rows_before_snapshots(
        'sessions', 'session_date', ['duration_seconds', 'is_engaged'], longest
    ) | indent(4) }}
),

session_features as (
    select
        person_id,
        snapshot_date,
        {%- for window_days in windows %}
            count(case when days_before <= {{ window_days }} then 1 end)
                as sessions_{{ window_days }}d,
            count(case when days_before <= {{ window_days }} and is_engaged then 1 end)
                as engaged_sessions_{{ window_days }}d,
            {%- set duration = 'case when days_before <= ' ~ window_days
                ~ ' then duration_seconds end' %}
            {{ exact_avg(duration) }} as avg_session_seconds_{{ window_days }}d
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from window_sessions
    group by
        person_id,
        snapshot_date
),

window_feature_uses as (
    {{ rows_before_snapshots(
        'feature_use_days', 'usage_date', ['feature_name', 'n_uses'], longest
    ) | indent(4) }}
),

feature_breadth as (
    select
        person_id,
        snapshot_date,
        {%- for window_days in windows %}
            count(distinct case when days_before <= {{ window_days }} then feature_name end)
                as features_used_{{ window_days }}d,
            cast(
                sum(case when days_before <= {{ window_days }} then n_uses else 0 end)
                as {{ dbt.type_bigint() }}
            ) as feature_uses_{{ window_days }}d
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from window_feature_uses
    group by
        person_id,
        snapshot_date
),

history_days as (
    {{ rows_before_snapshots('person_days', 'activity_date', []) | indent(4) }}
),

-- over the whole history before the snapshot, not only the longest window
recency as (
    select
        person_id,
        snapshot_date,
        min(days_before) as days_since_last_active
    from history_days
    group by
        person_id,
        snapshot_date
),

future_activity as (
    select
        person_snapshots.person_id,
        person_snapshots.snapshot_date,
        count(*) as n_active_days,
        sum(person_days.n_conversions) as n_conversions
    from person_snapshots
    inner join person_days
        on
            person_snapshots.person_id = person_days.person_id
            and person_snapshots.snapshot_date <= person_days.activity_date
            and person_days.activity_date
            < {{ dbt.dateadd('day', horizon_days, 'person_snapshots.snapshot_date') }}
    where person_snapshots.is_label_observed
    group by
        person_snapshots.person_id,
        person_snapshots.snapshot_date
),

first_feature_uses as (
    select
        person_id,
        feature_name,
        min(usage_date) as first_used_date
    from feature_use_days
    group by
        person_id,
        feature_name
),

future_new_features as (
    select
        person_snapshots.person_id,
        person_snapshots.snapshot_date,
        count(*) as n_new_features
    from person_snapshots
    inner join first_feature_uses
        on
            person_snapshots.person_id = first_feature_uses.person_id
            and person_snapshots.snapshot_date <= first_feature_uses.first_used_date
            and first_feature_uses.first_used_date
            < {{ dbt.dateadd('day', horizon_days, 'person_snapshots.snapshot_date') }}
    where person_snapshots.is_label_observed
    group by
        person_snapshots.person_id,
        person_snapshots.snapshot_date
),

features as (
    select
        {{ surrogate_key(['person_snapshots.person_id', 'person_snapshots.snapshot_date']) }}
            as person_feature_id,
        person_snapshots.person_id,
        person_snapshots.snapshot_date,
        case
            when person_snapshots.snapshot_role = 'scoring' then 'scoring'
            when person_snapshots.snapshot_role = 'training' and not person_snapshots.is_holdout
                then 'training'
            when person_snapshots.snapshot_role = 'evaluation' and person_snapshots.is_holdout
                then 'evaluation'
        end as model_sample,
        person_snapshots.is_holdout,
        cast(recency.days_since_last_active as {{ dbt.type_int() }}) as days_since_last_active,
        person_snapshots.tenure_days,
        {%- for window_days in windows %}
            coalesce(day_features.active_days_{{ window_days }}d, 0)
                as active_days_{{ window_days }}d,
            coalesce(day_features.events_{{ window_days }}d, 0) as events_{{ window_days }}d,
            coalesce(session_features.sessions_{{ window_days }}d, 0)
                as sessions_{{ window_days }}d,
            coalesce(session_features.engaged_sessions_{{ window_days }}d, 0)
                as engaged_sessions_{{ window_days }}d,
            coalesce(day_features.page_views_{{ window_days }}d, 0)
                as page_views_{{ window_days }}d,
            coalesce(day_features.conversions_{{ window_days }}d, 0)
                as conversions_{{ window_days }}d,
            coalesce(day_features.revenue_{{ window_days }}d, 0) as revenue_{{ window_days }}d,
            coalesce(feature_breadth.features_used_{{ window_days }}d, 0)
                as features_used_{{ window_days }}d,
            coalesce(feature_breadth.feature_uses_{{ window_days }}d, 0)
                as feature_uses_{{ window_days }}d,
            coalesce(session_features.avg_session_seconds_{{ window_days }}d, 0)
                as avg_session_seconds_{{ window_days }}d,
        {%- endfor %}
        person_snapshots.channel_group,
        person_snapshots.device_type,
        person_snapshots.is_label_observed,
        case
            when person_snapshots.is_label_observed
                then coalesce(future_activity.n_active_days, 0) = 0
        end as is_churned,
        case
            when person_snapshots.is_label_observed
                then
                    coalesce(future_activity.n_conversions, 0) > 0
                    or coalesce(future_new_features.n_new_features, 0) > 0
        end as is_upsold
    from person_snapshots
    inner join recency
        on
            person_snapshots.person_id = recency.person_id
            and person_snapshots.snapshot_date = recency.snapshot_date
    left join day_features
        on
            person_snapshots.person_id = day_features.person_id
            and person_snapshots.snapshot_date = day_features.snapshot_date
    left join session_features
        on
            person_snapshots.person_id = session_features.person_id
            and person_snapshots.snapshot_date = session_features.snapshot_date
    left join feature_breadth
        on
            person_snapshots.person_id = feature_breadth.person_id
            and person_snapshots.snapshot_date = feature_breadth.snapshot_date
    left join future_activity
        on
            person_snapshots.person_id = future_activity.person_id
            and person_snapshots.snapshot_date = future_activity.snapshot_date
    left join future_new_features
        on
            person_snapshots.person_id = future_new_features.person_id
            and person_snapshots.snapshot_date = future_new_features.snapshot_date
),

-- the engagement score as of each snapshot, over the longest window, ranged within the
-- snapshot (macro engagement_score: the definition in one place)
engagement_inputs as (
    select
        person_feature_id,
        snapshot_date,
        sessions_{{ longest }}d as n_sessions,
        active_days_{{ longest }}d as n_active_days,
        {{ safe_divide('engaged_sessions_' ~ longest ~ 'd', 'sessions_' ~ longest ~ 'd') }}
            as engaged_session_rate,
        conversions_{{ longest }}d as n_conversions,
        features_used_{{ longest }}d as n_features_used,
        days_since_last_active as days_since_last_seen
    from features
),

engagement_scores as (
    {{ engagement_score(
        'engagement_inputs',
        normalization=var('engagement_score_normalization'),
        id_column='person_feature_id',
        partition_by='snapshot_date'
    ) | indent(4) }}
),

final as (
    select
        features.person_feature_id,
        features.person_id,
        features.snapshot_date,
        features.model_sample,
        features.is_holdout,
        features.days_since_last_active,
        features.tenure_days,
        engagement_scores.engagement_score,
        {%- for window_days in windows %}
            {%- set window = window_days ~ 'd' %}
            {#- rates: numerator and denominator; sessions per day over the days of the window
                the person was known (tenure_days is at least 1) #}
            {%- set rates = {
                'sessions_per_day': [
                    'features.sessions_' ~ window, 'least(features.tenure_days, ' ~ window_days ~ ')'
                ],
                'events_per_session': ['features.events_' ~ window, 'features.sessions_' ~ window],
                'feature_use_share': ['features.feature_uses_' ~ window, 'features.events_' ~ window],
            } %}
            {%- for measure in prediction_window_measures() %}
                {%- if measure in rates %}
                    coalesce({{ safe_divide(rates[measure][0], rates[measure][1]) }}, 0)
                        as {{ measure }}_{{ window }},
                {%- else %}
                    features.{{ measure }}_{{ window }},
                {%- endif %}
            {%- endfor %}
        {%- endfor %}
        features.channel_group,
        features.device_type,
        features.is_label_observed,
        features.is_churned,
        features.is_upsold
    from features
    inner join engagement_scores
        on features.person_feature_id = engagement_scores.person_feature_id
)

select * from final
