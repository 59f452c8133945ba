{#- Friction score of a page: error clicks plus rage clicks per page view
    (= error_clicks_per_page_view + rage_clicks_per_page_view), a 64-bit float, null without
    page views. A rage burst of error clicks counts twice, on purpose: an error the person
    keeps hitting is worse than one error. Exits are not in the score: leaving a goal page
    (order completed) is success, not friction. -#}
{% macro page_friction_score(n_error_clicks, n_rage_clicks, n_page_views) -%}
    {{ safe_divide('(' ~ n_error_clicks ~ ' + ' ~ n_rage_clicks ~ ')', n_page_views) }}
{%- endmacro %}
