{#- PostHog: one record of its events batch export (S3 destination, events model: uuid, event,
    distinct_id, person_id, properties, person_properties, elements_chain, timestamp,
    created_at, _inserted_at; https://posthog.com/docs/cdp/batch-exports/s3) as the event
    contract (docs/your-data.md#posthog). `properties` is an object in JSON lines and JSON
    text in Parquet: both are read.
    - event_id: uuid (PostHog's own event id, what it deduplicates on).
    - identity: user_id is the distinct_id of an $identify, the alias of a $create_alias, or
      the distinct_id of an event whose $is_identified is true, or that has neither
      $is_identified nor $device_id (a server-side SDK's event, sent with the user's id);
      anonymous_id is $device_id, else $anon_distinct_id of an $identify, the distinct_id of
      a $create_alias, or the distinct_id of an anonymous event. person_id (PostHog's own
      merge at ingestion) is not read: stitching is ours.
    - session_id: $session_id (posthog-js, mobile SDKs; 30 min idle, at most 24 h).
    - occurred_at: timestamp; received_at: created_at (ingestion); ISO 8601 text, UTC.
    - page and traffic: $current_url, $referrer ('$direct' = none), utm_*; device_type
      $device_type (Desktop, Mobile, Tablet); country $geoip_country_code.
    - element, click_x, click_y, feature_name, product_id, revenue: the same-named
      properties (revenue as PostHog revenue analytics reads it by default). properties:
      every property but those read verbatim above. -#}
{% macro default__posthog_event_contract(record, source_table) -%}
    {#- properties that are not an object (JSON text of anything else) read as none -#}
    {%- set properties_text = json_text(record, ['properties']) -%}
    {%- set properties = '(case when substr(' ~ properties_text ~ ", 1, 1) = '{' then "
        ~ properties_text ~ ' end)' -%}
    {%- set verbatim_keys = [
        '$session_id', '$current_url', '$referrer', 'utm_source', 'utm_medium', 'utm_campaign',
        'utm_content', 'utm_term', '$device_type', '$geoip_country_code', 'element', 'click_x',
        'click_y', 'feature_name', 'product_id', 'revenue',
    ] -%}
    {%- set property = json_text_values(
        properties, verbatim_keys + ['$device_id', '$is_identified', '$anon_distinct_id', 'alias']
    ) -%}
    {%- set event = json_text(record, ['event']) -%}
    {%- set distinct_id = json_text(record, ['distinct_id']) -%}
    {%- set is_identified = 'lower(' ~ property['$is_identified'] ~ ')' -%}
    {%- set device_id = property['$device_id'] -%}
    {%- set user_id -%}
        case
            when {{ event }} = '$identify' then {{ distinct_id }}
            when {{ event }} = '$create_alias' then {{ property['alias'] }}
            when {{ is_identified }} = 'true' then {{ distinct_id }}
            when {{ is_identified }} is null and {{ device_id }} is null then {{ distinct_id }}
        end
    {%- endset -%}
    {{ json_text(record, ['uuid']) }} as event_id,
    coalesce(
        {{ device_id }},
        case
            when {{ event }} = '$identify' then {{ property['$anon_distinct_id'] }}
            when {{ event }} = '$create_alias' then {{ distinct_id }}
            when ({{ user_id }}) is null then {{ distinct_id }}
        end
    ) as anonymous_id,
    {{ user_id }} as user_id,
    {{ property['$session_id'] }} as session_id,
    {{ event }} as event_name,
    {{ json_text(record, ['timestamp']) }} as occurred_at,
    {{ json_text(record, ['created_at']) }} as received_at,
    {{ property['$current_url'] }} as page_url,
    nullif({{ property['$referrer'] }}, '$direct') as referrer_url,
    {%- for key in ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'] %}
    {{ property[key] }} as {{ key }},
    {%- endfor %}
    {{ property['$device_type'] }} as device_type,
    {{ property['$geoip_country_code'] }} as country,
    {%- for key in ['element', 'click_x', 'click_y', 'feature_name', 'product_id', 'revenue'] %}
    {{ property[key] }} as {{ key }},
    {%- endfor %}
    {{ json_without_keys(properties, verbatim_keys) }} as properties
{%- endmacro %}

{#- The table a PostHog events batch export was loaded into (models/staging/posthog/), read
    when var raw_events_location is empty. -#}
{% macro default__posthog_event_tables() -%}
    {{ return([(source('posthog', 'events'), 'events')]) }}
{%- endmacro %}
