{%- set raw_event_columns = event_contract_columns() | map(attribute='name') | list -%}
{#- By default the source is the demo seed: tell the DAG, so seeding runs first. -#}
{%- if not var('raw_events_location')
    and not var('raw_events_schema') and var('raw_events_identifier') == 'raw_events' %}
-- depends_on: {{ ref('raw_events') }}
{%- endif %}
{#- Incremental: only raw rows received since the last run (minus the lookback) are read;
    a row re-read in the lookback gets the same raw_row_id and replaces itself. Rows with an
    unparseable received_at are re-read every run (they are few). -#}
{{ config(materialized=incremental_materialization(), unique_key='raw_row_id') }}

with

raw_events as (
    select {{ select_event_contract(source('tracking', 'events')) }}
    from {{ source('tracking', 'events') }}
),

{% if is_incremental() %}
    raw_events_arrived as (
        select * from raw_events
        where
            {{ received_since_last_run(
                parse_utc_timestamp('received_at'),
                watermark_filter='invalid_reason is null'
            ) }}
    ),
{% else %}
    raw_events_arrived as (
        select * from raw_events
    ),
{% endif %}

raw_events_hashed as (
    select
        *,
        {{ surrogate_key(raw_event_columns) }} as raw_content_key
    from raw_events_arrived
),

raw_events_keyed as (
    -- identical raw rows are told apart by their copy number
    select
        *,
        row_number() over (partition by raw_content_key order by raw_content_key) as raw_copy_number
    from raw_events_hashed
),

tracking_plan as (
    select event_name from {{ ref('tracking_plan') }}
),

typed as (
    select
        {{ surrogate_key(['raw_content_key', 'raw_copy_number']) }} as raw_row_id,
        nullif(trim(event_id), '') as event_id,
        nullif(trim(anonymous_id), '') as anonymous_id,
        nullif(trim(user_id), '') as user_id,
        nullif(trim(session_id), '') as tracker_session_id,
        {{ normalize_event_name('event_name') }} as event_name,
        event_name as event_name_raw,
        {{ parse_utc_timestamp('occurred_at') }} as occurred_at,
        occurred_at as occurred_at_raw,
        {{ parse_utc_timestamp('received_at') }} as received_at,
        received_at as received_at_raw,
        page_url,
        {{ url_host('page_url') }} as page_host,
        {{ url_path('page_url') }} as page_path,
        referrer_url,
        {{ url_host('referrer_url') }} as referrer_host,
        coalesce(utm_source, {{ url_parameter('page_url', 'utm_source') }}) as utm_source,
        coalesce(utm_medium, {{ url_parameter('page_url', 'utm_medium') }}) as utm_medium,
        coalesce(utm_campaign, {{ url_parameter('page_url', 'utm_campaign') }}) as utm_campaign,
        coalesce(utm_content, {{ url_parameter('page_url', 'utm_content') }}) as utm_content,
        coalesce(utm_term, {{ url_parameter('page_url', 'utm_term') }}) as utm_term,
        lower(device_type) as device_type,
        upper(country) as country,
        element,
        {{ try_cast('click_x', dbt.type_int()) }} as click_x,
        click_x as click_x_raw,
        {{ try_cast('click_y', dbt.type_int()) }} as click_y,
        click_y as click_y_raw,
        feature_name,
        product_id,
        {{ try_cast('revenue', dbt.type_numeric()) }} as revenue,
        revenue as revenue_raw,
        properties
    from raw_events_keyed
),

validated as (
    select
        typed.*,
        case
            when typed.event_id is null then 'missing_event_id'
            when typed.anonymous_id is null and typed.user_id is null then 'missing_person_id'
            when typed.occurred_at is null then 'invalid_occurred_at'
            when typed.received_at is null then 'invalid_received_at'
            when
                typed.occurred_at
                > {{ dbt.dateadd('hour', var('max_clock_skew_hours'), 'typed.received_at') }}
                then 'future_occurred_at'
            when tracking_plan.event_name is null then 'unknown_event_name'
            when typed.revenue is null and typed.revenue_raw is not null then 'invalid_revenue'
            when
                (typed.click_x is null and typed.click_x_raw is not null)
                or (typed.click_y is null and typed.click_y_raw is not null)
                then 'invalid_click_position'
        end as invalid_reason
    from typed
    left join tracking_plan
        on typed.event_name = tracking_plan.event_name
)

select * from validated
