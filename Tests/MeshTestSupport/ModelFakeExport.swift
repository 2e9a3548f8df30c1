// Tests reach the fake model endpoint through MeshTestSupport like every other helper.
@_exported import MeshModelFake
