{#- What the GA4 export source reads, one item per file: a list of (label, table expression)
    for macro select_ga4_traffic_export to check each file's header on its own. On DuckDB
    the files that var ga4_traffic_export_location matches (a path or glob), each read as
    the source reads them (comment lines '#', header, all text; _ga4__sources.yml); fails
    when no file matches. On Postgres and Spark the loaded table itself. Queries the
    warehouse: call it only when `execute`. -#}
{% macro ga4_traffic_export_files(relation) -%}
    {{ return(adapter.dispatch('ga4_traffic_export_files', 'behavioral_warehouse')(relation)) }}
{%- endmacro %}

{% macro default__ga4_traffic_export_files(relation) -%}
    {%- set location = var('ga4_traffic_export_location') -%}
    {%- set listed = run_query(
        "select file from glob('" ~ location | replace("'", "''") ~ "') order by file"
    ) -%}
    {%- if listed.rows | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "var ga4_traffic_export_location ('" ~ location ~ "') matches no file."
        ) }}
    {%- endif -%}
    {%- set files = [] -%}
    {%- for row in listed.rows -%}
        {%- do files.append((row[0], "read_csv('" ~ row[0] | replace("'", "''")
            ~ "', comment = '#', header = true, all_varchar = true)")) -%}
    {%- endfor -%}
    {{ return(files) }}
{%- endmacro %}

{% macro postgres__ga4_traffic_export_files(relation) -%}
    {{ return([(relation | string, relation)]) }}
{%- endmacro %}

{% macro spark__ga4_traffic_export_files(relation) -%}
    {{ return(postgres__ga4_traffic_export_files(relation)) }}
{%- endmacro %}
