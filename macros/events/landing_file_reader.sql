{#- The relation that reads one landing file (a path as listed) in format var
    raw_events_format, every column as the file types it (Parquet) or the reader infers it
    (JSON lines): what macro landing_file_columns describes. -#}
{% macro landing_file_reader(path) -%}
    {{ return(adapter.dispatch('landing_file_reader', 'behavioral_warehouse')(path)) }}
{%- endmacro %}

{% macro default__landing_file_reader(path) -%}
    {%- if var('raw_events_format') == 'json' -%}
        read_json_auto({{ text_literal(path) }}, format = 'newline_delimited')
    {%- else -%}
        read_parquet({{ text_literal(path) }})
    {%- endif -%}
{%- endmacro %}

{% macro spark__landing_file_reader(path) -%}
    {{ 'json' if var('raw_events_format') == 'json' else 'parquet' }}.`{{ path | replace('`', '``') }}`
{%- endmacro %}
