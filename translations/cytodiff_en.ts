<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>CountText</name>
    <message numerus="yes">
        <source>%Ln cell(s)</source>
        <translation>
            <numerusform>%Ln cell</numerusform>
            <numerusform>%Ln cells</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln case(s)</source>
        <translation>
            <numerusform>%Ln case</numerusform>
            <numerusform>%Ln cases</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln cell(s) selected</source>
        <translation>
            <numerusform>%Ln cell selected</numerusform>
            <numerusform>%Ln cells selected</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln second(s)</source>
        <translation>
            <numerusform>%Ln second</numerusform>
            <numerusform>%Ln seconds</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cytodiff::ui::MainWindow</name>
    <message numerus="yes">
        <source>This case is signed. Reason for amending %Ln cell(s) (kept in the audit log):</source>
        <translation>
            <numerusform>This case is signed. Reason for amending %Ln cell (kept in the audit log):</numerusform>
            <numerusform>This case is signed. Reason for amending %Ln cells (kept in the audit log):</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln LIS result(s) queued</source>
        <translation>
            <numerusform>%Ln LIS result queued</numerusform>
            <numerusform>%Ln LIS results queued</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln result(s) sent to the LIS.</source>
        <translation>
            <numerusform>%Ln result sent to the LIS.</numerusform>
            <numerusform>%Ln results sent to the LIS.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cytodiff::ui::ReviewController</name>
    <message numerus="yes">
        <source>%Ln cell(s) in the review queue have not been reviewed.</source>
        <translation>
            <numerusform>%Ln cell in the review queue has not been reviewed.</numerusform>
            <numerusform>%Ln cells in the review queue have not been reviewed.</numerusform>
        </translation>
    </message>
</context>
</TS>
