{#- A predicate for incremental runs of a model that holds a row for every row it read
    (staging, deduplication, device identities): macro loaded_after `column` against the
    latest `watermark_column` already in the model ({{ this }}; rows matching
    `watermark_filter` only, when given). Use it only inside `if is_incremental_build()`. -#}
{% macro loaded_since_last_run(column, watermark_column='loaded_at', watermark_filter=none) -%}
    {%- set watermark -%}
        (select max({{ watermark_column }}) from {{ this }}
        {%- if watermark_filter %} where {{ watermark_filter }}{% endif %})
    {%- endset -%}
    {{ loaded_after(column, watermark) }}
{%- endmacro %}
