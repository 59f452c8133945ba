{#- Incremental: the rows of every affected person (macro incremental_affected_persons)
    are rebuilt from that person's events and replace the stored ones (delete+insert by
    person_id, materialization event_incremental), which also deletes the rows of anonymous
    persons merged into a user. A run, full or incremental, builds in var person_buckets
    statements.

    With use_tracker_session_id, sessions follow the tracker's session ids (macro
    sessionize): a session's tracker_session_id is that of its events, and every session of
    a tracker session that the timeout or the max length cut into several is flagged (a
    window over the person's sessions, all rebuilt together, so an incremental run equals a
    full build). Without it: null and false. -#}
{%- if var('use_tracker_session_id') %}
    {%- set tracker_session_id = 'first_events.tracker_session_id' %}
    {%- set is_tracker_session_split -%}
        tracker_session_id is not null
        and count(*) over (partition by person_id, tracker_session_id) > 1
    {%- endset %}
{%- else %}
    {%- set tracker_session_id = 'cast(null as ' ~ dbt.type_string() ~ ')' %}
    {%- set is_tracker_session_split = 'false' %}
{%- endif %}
{{ config(
    materialized='event_incremental',
    incremental_strategy='affected_persons',
    unique_key='person_id',
    person_buckets=var('person_buckets'),
    partition_by=partition_columns(['session_date'])
) }}

with

sessionized_events as (
    select * from {{ ref('int_events_sessionized') }}
),

events as (
    {{ affected_person_events('sessionized_events') | indent(4) }}
),

channels as (
    select
        session_id,
        session_source,
        session_medium,
        session_campaign,
        channel_group
    from {{ ref('int_sessions_channel_grouped') }}
),


session_totals as (
    select
        session_id,
        person_id,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as n_events,
        count(case when is_page_view then 1 end) as n_page_views,
        count(case when is_conversion then 1 end) as n_conversions,
        -- decimal(38, 6) on every engine (Spark's sum widens by 10 digits only): the contract
        cast(coalesce(sum(revenue), 0) as decimal(38, 6)) as revenue,
        max(received_at) as last_received_at,
        max(loaded_at) as last_loaded_at
    from events
    group by
        session_id,
        person_id
),

first_events as (
    select
        session_id,
        anonymous_id,
        tracker_session_id,
        seconds_since_previous_event,
        referrer_url,
        referrer_host,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        device_type,
        country
    from events
    where event_index = 1
),

-- landing and exit pages each read the table: one page_views CTE referenced twice would be
-- materialized (DuckDB, Postgres), a copy of every page view
landing_pages as (
    select
        session_id,
        page_path
    from {{ ref('fct_page_views') }}
    where is_entrance
),

exit_pages as (
    select
        session_id,
        page_path
    from {{ ref('fct_page_views') }}
    where is_exit
),

sessions_joined as (
    select
        session_totals.*,
        {{ seconds_between('session_totals.started_at', 'session_totals.ended_at') }}
            as duration_seconds,
        first_events.anonymous_id,
        {{ tracker_session_id }} as tracker_session_id,
        first_events.seconds_since_previous_event as first_event_seconds_since_previous,
        first_events.referrer_url,
        first_events.referrer_host,
        first_events.utm_source,
        first_events.utm_medium,
        first_events.utm_campaign,
        first_events.utm_content,
        first_events.utm_term,
        first_events.device_type,
        first_events.country,
        channels.session_source,
        channels.session_medium,
        channels.session_campaign,
        channels.channel_group,
        landing_pages.page_path as landing_page_path,
        exit_pages.page_path as exit_page_path
    from session_totals
    inner join first_events
        on session_totals.session_id = first_events.session_id
    inner join channels
        on session_totals.session_id = channels.session_id
    left join landing_pages
        on session_totals.session_id = landing_pages.session_id
    left join exit_pages
        on session_totals.session_id = exit_pages.session_id
),

sessions_classified as (
    select
        *,
        {{ is_engaged_session('duration_seconds', 'n_conversions', 'n_page_views') }} as is_engaged,
        -- the rule of macro sessionize that started the session, told by its first event's
        -- gap to the previous event of its group (the person, or the person's tracker session)
        case
            when first_event_seconds_since_previous is null and tracker_session_id is not null
                then 'tracker_session'
            when first_event_seconds_since_previous is null then 'first_event'
            when first_event_seconds_since_previous > {{ var('session_timeout_minutes') * 60 }}
                then 'inactivity_timeout'
            else 'max_length'
        end as session_start_reason
    from sessions_joined
),

final as (
    select
        session_id,
        person_id,
        cast(row_number() over (
            partition by person_id
            order by started_at, session_id
        ) as {{ dbt.type_bigint() }}) as session_index,
        session_start_reason,
        tracker_session_id,
        {{ is_tracker_session_split }} as is_tracker_session_split,
        anonymous_id,
        started_at,
        ended_at,
        cast(started_at as date) as session_date,
        duration_seconds,
        n_events,
        n_page_views,
        n_conversions,
        revenue,
        landing_page_path,
        exit_page_path,
        referrer_url,
        referrer_host,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        session_source,
        session_medium,
        session_campaign,
        channel_group,
        device_type,
        country,
        n_conversions > 0 as has_conversion,
        is_engaged,
        not is_engaged as is_bounce,
        n_page_views = 1 as is_single_page,
        last_received_at,
        last_loaded_at
    from sessions_classified
)

select * from final
