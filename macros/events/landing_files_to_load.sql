{#- The rows of macro landing_files_not_loaded, run now: a list of (path, size in bytes,
    modification time as text) for the model base_tracking__landed_events to read. Queries
    the warehouse: call it only when `execute`. -#}
{% macro landing_files_to_load(location, loaded_relation) -%}
    {%- set listing -%}
        select
            landing_file,
            landing_file_size,
            {{ timestamp_text('landing_file_modified_at') }} as landing_file_modified_at
        from ({{ landing_files_not_loaded(location, loaded_relation) }}) as not_loaded
        order by landing_file
    {%- endset -%}
    {{ return(run_query(listing).rows) }}
{%- endmacro %}
