{#- Schema drift of the landing files: each column added, dropped or retyped between one
    landing file and the one before it (in order of modification time, then path), with
    the file where it happened. Empty when the events come from a table. -#}
with

file_columns as (
    select
        landing_file,
        landing_file_modified_at,
        column_name,
        column_type
    from {{ ref('base_tracking__landing_file_columns') }}
),

files as (
    select
        landing_file,
        landing_file_modified_at,
        row_number() over (order by landing_file_modified_at, landing_file) as file_number
    from (
        select distinct
            landing_file,
            landing_file_modified_at
        from file_columns
    ) as distinct_files
),

column_names as (
    select distinct column_name
    from file_columns
),

-- every column seen in any file, in every file: present or not, and its type
presence as (
    select
        files.file_number,
        files.landing_file,
        files.landing_file_modified_at,
        column_names.column_name,
        file_columns.column_type,
        file_columns.column_name is not null as is_present
    from files
    cross join column_names
    left join file_columns
        on
            files.landing_file = file_columns.landing_file
            and files.landing_file_modified_at = file_columns.landing_file_modified_at
            and column_names.column_name = file_columns.column_name
),

compared as (
    select
        presence.*,
        lag(presence.is_present) over file_order as was_present,
        lag(presence.column_type) over file_order as previous_type
    from presence
    window file_order as (partition by column_name order by file_number)
),

final as (
    select
        column_name,
        case
            when is_present and not was_present then 'added'
            when was_present and not is_present then 'dropped'
            else 'retyped'
        end as change_kind,
        landing_file,
        landing_file_modified_at,
        previous_type,
        column_type
    from compared
    where
        file_number > 1
        and (is_present <> was_present or (is_present and column_type <> previous_type))
)

select * from final
