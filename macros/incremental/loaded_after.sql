{#- A predicate for incremental runs: true for rows whose `column` (when the row arrived:
    loaded_at) is after `watermark` (a SQL timestamp expression: what the model has already
    processed); also true when either is null (no watermark yet: every row).
    - From landing files, loaded_at is when the run that loaded the file started: every
      run's rows are later than all earlier ones, so exactly the rows after the watermark
      are new (a lookback would process the last hours' loads again on every run).
    - From a source table, loaded_at is the row's received_at, which a loader may insert
      out of order: rows at or after the watermark minus var incremental_lookback_hours. -#}
{% macro loaded_after(column, watermark) -%}
    {%- if var('raw_events_location') -%}
    coalesce({{ column }} > {{ watermark }}, true)
    {%- else -%}
    coalesce({{ column }} >= {{ dbt.dateadd('hour', -1 * var('incremental_lookback_hours'), watermark) | trim }}, true)
    {%- endif -%}
{%- endmacro %}
