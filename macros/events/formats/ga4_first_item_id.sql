{#- item_id of the first element of the repeated record `items` of a GA4 BigQuery export
    record (`record`, JSON object text): the product of e-commerce events (view_item,
    add_to_cart, purchase). Null when the record has no items. -#}
{% macro ga4_first_item_id(record) -%}
    {{ return(adapter.dispatch('ga4_first_item_id', 'behavioral_warehouse')(record)) }}
{%- endmacro %}

{% macro default__ga4_first_item_id(record) -%}
    json_extract_string({{ record }}, '$.items[0].item_id')
{%- endmacro %}

{% macro postgres__ga4_first_item_id(record) -%}
    (cast({{ record }} as jsonb) -> 'items' -> 0 ->> 'item_id')
{%- endmacro %}

{% macro spark__ga4_first_item_id(record) -%}
    get_json_object({{ record }}, '$.items[0].item_id')
{%- endmacro %}
