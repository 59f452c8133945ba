{#- True when the model being built reads only some persons' events (those the
    event_incremental materialization stored in build_persons_relation()): an incremental
    run, or a build in person buckets (macro person_buckets). -#}
{% macro builds_selected_persons() -%}
    {{ return(is_incremental_build() or person_buckets() > 1) }}
{%- endmacro %}
