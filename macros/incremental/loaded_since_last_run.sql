{#- A predicate for incremental runs: true for rows whose `column` (when the row arrived:
    loaded_at) is at or after the watermark, the latest `watermark_column` already in the
    model ({{ this }}) minus var incremental_lookback_hours; also true when the column is
    null or the model holds no row yet. Use it only inside `if is_incremental()`. -#}
{% macro loaded_since_last_run(column, watermark_column='loaded_at', watermark_filter=none) -%}
    {%- set lookback = dbt.dateadd(
        'hour', -1 * var('incremental_lookback_hours'), 'max(' ~ watermark_column ~ ')'
    ) | trim -%}
    coalesce({{ column }} >= (select {{ lookback }} from {{ this }}
    {%- if watermark_filter %} where {{ watermark_filter }}{% endif %}), true)
{%- endmacro %}
