{#- The rage click rule, in one place. `clicks` names a relation or CTE with one row per click
    (click or error_click event) and at least: event_id, session_id, page_path, element,
    occurred_at.

    A click is a rage click when it belongs to a burst: at least rage_click_min_clicks (N)
    clicks on the same element of the same page in the same session whose first and last
    are at most rage_click_window_seconds apart (bounds included, compared in whole
    milliseconds). Clicks with a null element or page_path are never rage clicks (the same
    element cannot be told). Within (session, page, element), clicks are ordered by
    occurred_at then event_id; click i ends a burst when the click N-1 before it is within
    the window (lag); a click is in a burst when one of itself and the N-1 clicks after it
    ends one (max over a rows frame). So a burst of N + k clicks flags all of them.

    Returns a select of every input column plus occurred_at_ms (epoch milliseconds),
    is_rage_burst_end and is_rage_click (booleans, never null). -#}
{% macro rage_clicks(clicks) -%}
    {%- set min_clicks = var('rage_click_min_clicks') | int -%}
    {%- if min_clicks < 2 -%}
        {{ exceptions.raise_compiler_error("rage_click_min_clicks must be at least 2, got " ~ min_clicks) }}
    {%- endif -%}
    {%- set window_ms = (var('rage_click_window_seconds') * 1000) | int -%}
    {%- set same_target = 'partition by session_id, page_path, element' -%}
    {%- set click_order = 'order by occurred_at_ms, event_id' -%}
with

clicks_timed as (
    select
        *,
        {{ epoch_milliseconds('occurred_at') }} as occurred_at_ms
    from {{ clicks }}
),

clicks_with_burst_ends as (
    select
        *,
        coalesce(
            element is not null
            and page_path is not null
            and occurred_at_ms - lag(occurred_at_ms, {{ min_clicks - 1 }}) over (
                {{ same_target }} {{ click_order }}
            ) <= {{ window_ms }},
            false
        ) as is_rage_burst_end
    from clicks_timed
),

clicks_flagged as (
    select
        *,
        max(case when is_rage_burst_end then 1 else 0 end) over (
            {{ same_target }} {{ click_order }}
            rows between current row and {{ min_clicks - 1 }} following
        ) = 1 as is_rage_click
    from clicks_with_burst_ends
)

select * from clicks_flagged
{%- endmacro %}
