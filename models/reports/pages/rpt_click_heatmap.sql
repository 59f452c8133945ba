{%- set cell_px = var('click_heatmap_cell_px') | int -%}

with

clicks as (
    select * from {{ ref('int_clicks_rage_flagged') }}
),

clicks_in_cells as (
    select
        page_path,
        coalesce(device_type, '(not set)') as device_type,
        cast(floor(click_x / cast({{ cell_px }} as {{ type_double() }})) as {{ dbt.type_int() }})
            as cell_column,
        cast(floor(click_y / cast({{ cell_px }} as {{ type_double() }})) as {{ dbt.type_int() }})
            as cell_row,
        person_id,
        is_error_click,
        is_rage_click
    from clicks
    where
        page_path is not null
        and click_x is not null
        and click_y is not null
),

final as (
    select
        page_path,
        device_type,
        cell_column,
        cell_row,
        cell_column * {{ cell_px }} as cell_x_start_px,
        cell_row * {{ cell_px }} as cell_y_start_px,
        count(*) as n_clicks,
        count(case when is_error_click then 1 end) as n_error_clicks,
        count(case when is_rage_click then 1 end) as n_rage_clicks,
        count(distinct person_id) as n_persons
    from clicks_in_cells
    group by page_path, device_type, cell_column, cell_row
)

select * from final
