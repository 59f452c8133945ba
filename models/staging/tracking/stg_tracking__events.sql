{%- set raw_event_columns = event_contract_columns() | map(attribute='name') | list -%}
{%- set from_landing_files = var('raw_events_location') | length > 0 -%}
{%- set timestamp_type = dbt.type_timestamp() -%}
{%- set earliest_event_at = "cast('" ~ var('earliest_event_at') ~ "' as " ~ timestamp_type ~ ")" -%}
{%- set run_started_text = run_started_at.strftime('%Y-%m-%d %H:%M:%S') -%}
{%- set run_started = "cast('" ~ run_started_text ~ "' as " ~ timestamp_type ~ ")" -%}
{#- By default the source is the demo seed: tell the DAG, so seeding runs first. The demo
    seeds load only under this project's own profile (dbt_project.yml); installed as a
    package, the project must be told where the events are. -#}
{%- set reads_demo_seed = not from_landing_files and var('event_format') == 'contract'
    and not var('raw_events_schema') and var('raw_events_identifier') == 'raw_events' -%}
{%- if reads_demo_seed and target.profile_name != 'behavioral_warehouse' -%}
    {{ exceptions.raise_compiler_error(
        "behavioral_warehouse: no raw events configured. Set the var raw_events_schema and"
        ~ " raw_events_identifier (a table of the event contract), raw_events_location (a"
        ~ " landing folder), or event_format (a tracker's export): docs/package.md."
    ) }}
{%- elif reads_demo_seed %}
-- depends_on: {{ ref('raw_events') }}
{%- endif %}
{#- Incremental: only the raw rows that arrived since the last run are read. From landing
    files (model base_tracking__landed_events) these are exactly the rows loaded since, by
    loaded_at. From a table, the rows received since the last run minus the lookback; a row
    re-read in the lookback gets the same raw_row_id and replaces itself, and rows with an
    unparseable received_at are re-read every run (they are few). -#}
{{ config(materialized='event_incremental', unique_key='raw_row_id') }}

with

{% if from_landing_files %}
    raw_events_keyed as (
        select
            raw_row_id,
            {{ raw_event_columns | join(',\n            ') }},
            loaded_at
        from {{ ref('base_tracking__landed_events') }}
        {%- if is_incremental_build() %}
            where loaded_at > (
                select coalesce(max(loaded_at), {{ earliest_event_at }}) from {{ this }}
            )
        {%- endif %}
    ),
{% else %}
    raw_events as (
        {%- if var('event_format') == 'contract' %}
            select {{ select_event_contract(source('tracking', 'events')) }}
            from {{ source('tracking', 'events') }}
        {%- else %}
            {{ select_tracker_tables() | indent(8) }}
        {%- endif %}
    ),

    {% if is_incremental_build() %}
        raw_events_arrived as (
            select * from raw_events
            where
                {{ loaded_since_last_run(
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

    raw_events_numbered as (
        -- identical raw rows are told apart by their copy number
        select
            *,
            row_number() over (
                partition by raw_content_key order by raw_content_key
            ) as raw_copy_number
        from raw_events_hashed
    ),

    raw_events_keyed as (
        -- from a table, a row arrives when it is received
        select
            {{ dbt.concat([
                'raw_content_key', "'-'", 'cast(raw_copy_number as ' ~ dbt.type_string() ~ ')'
            ]) }} as raw_row_id,
            *,
            {{ parse_utc_timestamp('received_at') }} as loaded_at
        from raw_events_numbered
    ),
{% endif %}

event_name_aliases as (
    select
        alias,
        event_name
    from {{ ref('event_name_aliases') }}
),

raw_events_normalized as (
    select
        *,
        nullif({{ normalize_event_name('event_name') }}, '') as normalized_event_name
    from raw_events_keyed
),

raw_events_named as (
    -- a tracker's standard name for a tracking-plan event (GA4 purchase) is that event
    select
        raw_events_normalized.*,
        coalesce(
            event_name_aliases.event_name, raw_events_normalized.normalized_event_name
        ) as canonical_event_name
    from raw_events_normalized
    left join event_name_aliases
        on raw_events_normalized.normalized_event_name = event_name_aliases.alias
),

{% if var('quarantine_unknown_event_names') %}
    tracking_plan as (
        select event_name from {{ ref('tracking_plan') }}
    ),
{% endif %}

typed as (
    select
        raw_row_id,
        nullif(trim(event_id), '') as event_id,
        nullif(trim(anonymous_id), '') as anonymous_id,
        nullif(trim(user_id), '') as user_id,
        nullif(trim(session_id), '') as tracker_session_id,
        canonical_event_name as event_name,
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
        properties,
        loaded_at
    from raw_events_named
),

validated as (
    select
        typed.*,
        case
            when typed.event_id is null then 'missing_event_id'
            when typed.anonymous_id is null and typed.user_id is null then 'missing_person_id'
            when typed.event_name is null then 'missing_event_name'
            when
                {{ is_invalid_identifier('typed.event_id') }}
                or {{ is_invalid_identifier('typed.anonymous_id') }}
                or {{ is_invalid_identifier('typed.user_id') }}
                or {{ is_invalid_identifier('typed.tracker_session_id') }}
                or {{ is_invalid_identifier('typed.event_name_raw') }}
                then 'invalid_identifier'
            when typed.occurred_at is null then 'invalid_occurred_at'
            when typed.received_at is null then 'invalid_received_at'
            when typed.occurred_at < {{ earliest_event_at }} then 'occurred_at_out_of_range'
            when
                typed.received_at < {{ earliest_event_at }}
                or typed.received_at
                > {{ dbt.dateadd('hour', var('max_clock_skew_hours'), run_started) }}
                then 'received_at_out_of_range'
            when
                typed.occurred_at
                > {{ dbt.dateadd('hour', var('max_clock_skew_hours'), 'typed.received_at') }}
                then 'future_occurred_at'
            {%- if var('quarantine_unknown_event_names') %}
            when tracking_plan.event_name is null then 'unknown_event_name'
            {%- endif %}
            when typed.revenue is null and typed.revenue_raw is not null then 'invalid_revenue'
            when typed.revenue < 0 or typed.revenue > {{ var('max_event_revenue') }}
                then 'revenue_out_of_range'
            when
                (typed.click_x is null and typed.click_x_raw is not null)
                or (typed.click_y is null and typed.click_y_raw is not null)
                then 'invalid_click_position'
            when
                typed.click_x not between 0 and {{ var('max_click_position_pixels') }}
                or typed.click_y not between 0 and {{ var('max_click_position_pixels') }}
                then 'click_position_out_of_range'
        end as invalid_reason
    from typed
    {%- if var('quarantine_unknown_event_names') %}
        left join tracking_plan
            on typed.event_name = tracking_plan.event_name
    {%- endif %}
),

final as (
    -- the text as delivered is kept for the quarantine only
    select
        raw_row_id,
        event_id,
        anonymous_id,
        user_id,
        tracker_session_id,
        event_name,
        case when invalid_reason is not null then event_name_raw end as event_name_raw,
        occurred_at,
        case when invalid_reason is not null then occurred_at_raw end as occurred_at_raw,
        received_at,
        case when invalid_reason is not null then received_at_raw end as received_at_raw,
        page_url,
        page_host,
        page_path,
        referrer_url,
        referrer_host,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        device_type,
        country,
        element,
        click_x,
        case when invalid_reason is not null then click_x_raw end as click_x_raw,
        click_y,
        case when invalid_reason is not null then click_y_raw end as click_y_raw,
        feature_name,
        product_id,
        revenue,
        case when invalid_reason is not null then revenue_raw end as revenue_raw,
        properties,
        loaded_at,
        invalid_reason
    from validated
)

select * from final
