{#- Snowplow (event_format: snowplow): one enriched event as the event contract. The record
    has the columns of the atomic events table (event_id, domain_userid, collector_tstamp,
    mkt_source, ...), whether it is a row of atomic.events, a row of a Parquet or CSV dump
    of it, or a JSON line with the same field names; timestamps are UTC ('2026-09-01
    08:25:18.357', or ISO with Z). The self-describing event is the enriched event's
    `unstruct_event` field: self-describing JSON (as text or nested) whose data.data holds
    the event's own fields.
    anonymous_id: domain_userid (first-party cookie), else network_userid (collector
    cookie). session_id: domain_sessionid (a UUID, unique on its own). event_name: the
    enriched event_name (page_view, page_ping, link_click, a self-describing event's schema
    name), else the schema name, else `event`; a structured event (event = 'struct') is
    named by se_action. occurred_at: derived_tstamp (device time corrected for clock skew,
    set by enrichment for every event); received_at: collector_tstamp. page_url,
    referrer_url: page_url, page_referrer; UTM: mkt_* (campaign attribution enrichment).
    device_type: dvce_type (Computer -> desktop, Mobile, Tablet), else dvce_ismobile ->
    mobile. country: geo_country. revenue: tr_total (transaction), else the event's revenue
    field. element: the event's element, else elementId (link_click). product_id: the
    event's product_id, else ti_sku. click_x, click_y, feature_name: the event's fields of
    those names. properties: the self-describing event's data. -#}
{% macro default__snowplow_event_contract(record, source_table) -%}
    {%- set event_data = json_text(json_text(record, ['unstruct_event']), ['data', 'data']) -%}
    {%- set event_schema = json_text(json_text(record, ['unstruct_event']), ['data', 'schema']) -%}
    {%- set device = 'lower(' ~ json_text(record, ['dvce_type']) ~ ')' -%}
    {{ json_text(record, ['event_id']) }} as event_id,
    coalesce({{ json_text(record, ['domain_userid']) }}, {{ json_text(record, ['network_userid']) }}) as anonymous_id,
    {{ json_text(record, ['user_id']) }} as user_id,
    {{ json_text(record, ['domain_sessionid']) }} as session_id,
    case
        when {{ json_text(record, ['event']) }} = 'struct' then {{ json_text(record, ['se_action']) }}
        else coalesce(
            {{ json_text(record, ['event_name']) }},
            {{ regex_extract(event_schema, '^iglu:[^/]+/([^/]+)/') }},
            {{ json_text(record, ['event']) }}
        )
    end as event_name,
    {{ json_text(record, ['derived_tstamp']) }} as occurred_at,
    {{ json_text(record, ['collector_tstamp']) }} as received_at,
    {{ json_text(record, ['page_url']) }} as page_url,
    {{ json_text(record, ['page_referrer']) }} as referrer_url,
    {{ json_text(record, ['mkt_source']) }} as utm_source,
    {{ json_text(record, ['mkt_medium']) }} as utm_medium,
    {{ json_text(record, ['mkt_campaign']) }} as utm_campaign,
    {{ json_text(record, ['mkt_content']) }} as utm_content,
    {{ json_text(record, ['mkt_term']) }} as utm_term,
    case
        when {{ device }} in ('computer', 'desktop') then 'desktop'
        when {{ device }} in ('mobile', 'tablet') then {{ device }}
        when lower({{ json_text(record, ['dvce_ismobile']) }}) in ('true', '1') then 'mobile'
    end as device_type,
    {{ json_text(record, ['geo_country']) }} as country,
    coalesce({{ json_text(event_data, ['element']) }}, {{ json_text(event_data, ['elementId']) }}) as element,
    {{ json_text(event_data, ['click_x']) }} as click_x,
    {{ json_text(event_data, ['click_y']) }} as click_y,
    {{ json_text(event_data, ['feature_name']) }} as feature_name,
    coalesce({{ json_text(event_data, ['product_id']) }}, {{ json_text(record, ['ti_sku']) }}) as product_id,
    coalesce({{ json_text(record, ['tr_total']) }}, {{ json_text(event_data, ['revenue']) }}) as revenue,
    {{ event_data }} as properties
{%- endmacro %}

{#- The Snowplow table read when there is no landing folder: the atomic events table of the
    snowplow source (models/staging/snowplow/_snowplow__sources.yml). -#}
{% macro default__snowplow_event_tables() -%}
    {{ return([(source('snowplow', 'events'), 'events')]) }}
{%- endmacro %}
